package review

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/verifier"
)

// Limits on what a reviewer types.
const (
	maxFormBytes = 8 << 10
	maxNoteRunes = 500
)

// rejectReason is one choice on the reject form. Code is what the verifier
// records (and the relying party's logs may show), so it names no person.
type rejectReason struct{ Code, Label string }

var rejectReasons = []rejectReason{
	{"document-unreadable", "Document photo unreadable or incomplete"},
	{"document-invalid", "Document looks altered, fake or not genuine"},
	{"document-expired", "Document expired"},
	{"face-mismatch", "Selfie does not match the document portrait"},
	{"selfie-unusable", "Selfie unusable (not a live person, obscured, screen photo)"},
	{"name-mismatch", "Document name does not match the account"},
	{"suspected-fraud", "Suspected fraud"},
	{"other", "Other (explain below)"},
}

var (
	errBadForm = &httperr.Error{Status: http.StatusBadRequest, Code: "bad-form", Title: "Form not understood",
		Public: "The form could not be read. Go back, reload the page and try again."}
	errNoReason = &httperr.Error{Status: http.StatusUnprocessableEntity, Code: "reason-required", Title: "Reason required",
		Public: "Choose a reason from the list to reject. For \"Other\", explain in the text box."}
	errNoteTooLong = &httperr.Error{Status: http.StatusUnprocessableEntity, Code: "note-too-long", Title: "Note too long",
		Public: "Keep the note under 500 characters."}
	errBusy = &httperr.Error{Status: http.StatusConflict, Code: "busy", Title: "Try again",
		Public: "The verification changed while you were deciding. Open it again and resubmit."}
	errOwn = &httperr.Error{Status: http.StatusForbidden, Code: "own-verification", Title: "Not your decision",
		Public: "This is a verification of your own identity; another reviewer must decide it."}
)

// decision is a parsed approve or reject form.
type decision struct {
	Version int
	Reason  string // reject only: a code from rejectReasons
	Note    string
}

// parseDecision reads the form: version (the record version the reviewer
// saw), reason (reject) and note. The note is trimmed and must be plain
// text of at most maxNoteRunes; control characters other than newlines are
// refused so that nothing odd reaches the audit trail.
func parseDecision(form url.Values, reject bool) (decision, error) {
	var d decision
	v, err := strconv.Atoi(form.Get("version"))
	if err != nil || v < 0 {
		return d, errBadForm
	}
	d.Version = v
	note := strings.TrimSpace(strings.ReplaceAll(form.Get("note"), "\r\n", "\n"))
	if !utf8.ValidString(note) {
		return d, errBadForm
	}
	if utf8.RuneCountInString(note) > maxNoteRunes {
		return d, errNoteTooLong
	}
	for _, r := range note {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return d, errBadForm
		}
	}
	d.Note = note
	if !reject {
		return d, nil
	}
	d.Reason = form.Get("reason")
	known := false
	for _, rr := range rejectReasons {
		known = known || rr.Code == d.Reason
	}
	if !known || (d.Reason == "other" && note == "") {
		return d, errNoReason
	}
	return d, nil
}

// reasonText is what Reject records: the code, then the reviewer's words.
func (d decision) reasonText() string {
	if d.Note == "" {
		return d.Reason
	}
	return d.Reason + ": " + d.Note
}

func (h *Handler) approve(w http.ResponseWriter, r *http.Request) error { return h.decide(w, r, false) }
func (h *Handler) reject(w http.ResponseWriter, r *http.Request) error  { return h.decide(w, r, true) }

// decide checks the form against the record the reviewer saw, then asks
// the verifier. A second submit, or another reviewer's earlier decision,
// meets the verifier's refusal and is answered "already decided".
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, reject bool) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errBadForm.With(err)
	}
	d, err := parseDecision(r.PostForm, reject)
	if err != nil {
		return err
	}
	view, err := h.load(r)
	if err != nil {
		return err
	}
	rec := view.Rec
	if view.Own {
		return errOwn
	}
	if rec.Status != store.VerificationReview {
		return h.alreadyDecided(w, r, view)
	}
	if rec.Version != d.Version {
		// Still in review but changed since the page was drawn: show it
		// again rather than decide on what the reviewer did not see.
		return h.redirectDetail(w, r, rec.ID, "")
	}
	rv := reviewerFrom(r.Context())
	if reject {
		err = h.opt.Verifier.Reject(r.Context(), rec.ID, rv.ID, d.reasonText())
	} else {
		err = h.opt.Verifier.Approve(r.Context(), rec.ID, rv.ID, d.Note)
	}
	if err != nil {
		if !errors.Is(err, verifier.ErrNotInReview) && !errors.Is(err, store.ErrConflict) {
			return err
		}
		// Lost a race: read what won.
		if view, err = h.load(r); err != nil {
			return err
		}
		if view.Pending {
			return errBusy.With(err)
		}
		return h.alreadyDecided(w, r, view)
	}
	done := "approved"
	if reject {
		done = "rejected"
	}
	h.opt.Logger.InfoContext(r.Context(), "review: decided", "verification", rec.ID, "decision", done)
	return h.redirectDetail(w, r, rec.ID, done)
}

// alreadyDecided answers 409 with the decision that stands.
func (h *Handler) alreadyDecided(w http.ResponseWriter, r *http.Request, view *detailView) error {
	view.Notice = "already-decided"
	return h.pages.render(w, http.StatusConflict, pageData{
		Page: "detail", Title: "Already decided", Reviewer: reviewerFrom(r.Context()).ID, Detail: view,
	}, true)
}

func (h *Handler) redirectDetail(w http.ResponseWriter, r *http.Request, id, done string) error {
	to := h.pages.base + "/v/" + url.PathEscape(id)
	if done != "" {
		to += "?done=" + done
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
