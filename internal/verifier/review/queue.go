package review

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
)

// queueRow is one verification waiting for review.
type queueRow struct {
	ID, Age, Rung, ClaimedEmail string
	Created                     time.Time
	Reasons                     []string
}

func (h *Handler) queue(w http.ResponseWriter, r *http.Request) error {
	recs, err := h.opt.Verifier.Queue(r.Context(), h.opt.QueueLimit)
	if err != nil {
		return err
	}
	// Oldest first whatever the backend's order: the longest wait is served
	// first.
	slices.SortStableFunc(recs, func(a, b store.Verification) int { return a.CreatedAt.Compare(b.CreatedAt) })
	now := h.opt.Clock()
	rows := make([]queueRow, 0, len(recs))
	for _, v := range recs {
		rows = append(rows, queueRow{
			ID: v.ID, Age: fmtAge(now.Sub(v.CreatedAt)), Rung: shortRung(v.Rung),
			ClaimedEmail: v.ClaimedEmail, Created: v.CreatedAt, Reasons: v.Reasons,
		})
	}
	return h.pages.render(w, http.StatusOK, pageData{
		Page: "queue", Title: "Review queue", Reviewer: reviewerFrom(r.Context()).ID,
		Queue: rows, Limit: h.opt.QueueLimit, Full: len(rows) >= h.opt.QueueLimit,
	}, false)
}

// detailView is one verification as the detail page shows it.
type detailView struct {
	Rec      *store.Verification
	Steps    Steps
	Age      string
	Evidence []evidenceView
	// Document checks, computed for the reviewer's convenience.
	DocExpired   bool
	DocName      string
	NameCompared bool // both names known
	NameMatches  bool
	// Pending is true while the verification waits for a decision; Own when
	// the reviewer is the person being verified (they may not decide).
	Pending bool
	Own     bool
	// Notice is a banner: "approved", "rejected" or "already-decided".
	Notice        string
	RejectReasons []rejectReason
}

// evidenceView is one evidence record's metadata; URL serves the image.
type evidenceView struct {
	ID, Kind, ContentType, SHA256, URL string
	Size                               int
	Created, DeleteAfter               time.Time
	Image                              bool
}

var errBadSteps = &httperr.Error{Status: http.StatusInternalServerError, Code: "steps-unreadable", Title: "Record unreadable",
	Public: "This verification's record could not be read. Report it to an administrator."}

// load reads the verification named in the path and builds its view.
func (h *Handler) load(r *http.Request) (*detailView, error) {
	id := r.PathValue("id")
	if !ValidID(id) {
		return nil, errNotFound
	}
	rec, err := h.opt.Store.GetVerification(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound.With(err)
	}
	if err != nil {
		return nil, err
	}
	st, err := ParseSteps(rec.Steps)
	if err != nil {
		return nil, errBadSteps.With(err)
	}
	evs, err := h.opt.Store.ListEvidence(r.Context(), rec.ID)
	if err != nil {
		return nil, err
	}
	now := h.opt.Clock()
	d := &detailView{
		Rec: rec, Steps: st, Age: fmtAge(now.Sub(rec.CreatedAt)),
		Pending: rec.Status == store.VerificationReview, RejectReasons: rejectReasons,
	}
	rv := reviewerFrom(r.Context())
	d.Own = rv != nil && rec.ClaimedEmail != "" && strings.EqualFold(rv.Claims.Email, rec.ClaimedEmail)
	for _, e := range evs {
		d.Evidence = append(d.Evidence, evidenceView{
			ID: e.ID, Kind: e.Kind, ContentType: e.ContentType, SHA256: e.SHA256, Size: e.Size,
			Created: e.CreatedAt, DeleteAfter: e.DeleteAfter, Image: verifier.IsImage(e.ContentType),
			URL: h.pages.base + "/v/" + url.PathEscape(rec.ID) + "/evidence/" + url.PathEscape(e.ID),
		})
	}
	if doc := st.Document; doc != nil && doc.Fields != nil {
		d.DocName = doc.Fields.FullName()
		if exp, err := doc.Fields.ExpiryDate(); err == nil {
			// A document is valid through its expiry day.
			d.DocExpired = !now.Before(exp.AddDate(0, 0, 1))
		}
		if rec.ClaimedName != "" && d.DocName != "" {
			d.NameCompared, d.NameMatches = true, NamesMatch(rec.ClaimedName, doc.Fields)
		}
	}
	return d, nil
}

func (h *Handler) detail(w http.ResponseWriter, r *http.Request) error {
	d, err := h.load(r)
	if err != nil {
		return err
	}
	switch n := r.URL.Query().Get("done"); n {
	case "approved", "rejected", "already-decided":
		d.Notice = n
	}
	return h.pages.render(w, http.StatusOK, pageData{
		Page: "detail", Title: "Verification " + d.Rec.ID, Reviewer: reviewerFrom(r.Context()).ID, Detail: d,
	}, true)
}

// ValidID accepts the verifier's identifiers (URL-safe base64) and a
// little more, refusing anything that could not be one.
func ValidID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
