package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// noVerifier is shown where the review queue would be: the queue belongs
// to the built-in verifier, and this process runs none.
const noVerifier = "No built-in verifier runs in this process (idv is not configured), so there is no review queue here. An external verifier keeps its own."

var errNoVerifier = &httperr.Error{Status: http.StatusNotFound, Code: "no-verifier", Title: "No review queue", Public: noVerifier}

// reviewList is the review queue page.
type reviewList struct {
	Off     string // why there is no queue; empty when there is one
	Reviews []admin.ReviewSummary
}

// reviews lists the verifications waiting for a person, oldest first.
func (h *Handler) reviews(w http.ResponseWriter, r *http.Request) error {
	d := pageData{Page: "reviews", Title: "Reviews", Admin: adminFrom(r.Context()), Reviews: &reviewList{}}
	switch r.URL.Query().Get("decided") {
	case "approved":
		d.Notice = "Approved: the person is verified."
	case "rejected":
		d.Notice = "Rejected: the person is told the reason."
	}
	if h.opt.Reviews == nil {
		d.Reviews.Off = noVerifier
		return h.pages.render(w, http.StatusOK, d)
	}
	rs, err := h.opt.Reviews.Reviews(r.Context(), maxRows)
	if err != nil {
		return serviceError(err)
	}
	d.Reviews.Reviews, d.Shown = rs, len(rs)
	return h.pages.render(w, http.StatusOK, d)
}

// review shows one verification as text: steps, checks, face match,
// document facts without numbers, and the evidence kept (metadata only).
func (h *Handler) review(w http.ResponseWriter, r *http.Request) error {
	if h.opt.Reviews == nil {
		return errNoVerifier
	}
	v, err := h.opt.Reviews.Review(r.Context(), r.PathValue("id"))
	if err != nil {
		return serviceError(err)
	}
	a := adminFrom(r.Context())
	return h.pages.render(w, http.StatusOK, pageData{Page: "review", Title: "Review", Admin: a, Review: &v,
		Images: h.images(a, &v)})
}

func (h *Handler) approveReview(w http.ResponseWriter, r *http.Request) error {
	return h.decideReview(w, r, true)
}

func (h *Handler) rejectReview(w http.ResponseWriter, r *http.Request) error {
	return h.decideReview(w, r, false)
}

// decideReview approves, with an optional note, or rejects, with the
// reason required because the person is told it.
func (h *Handler) decideReview(w http.ResponseWriter, r *http.Request, approve bool) error {
	if h.opt.Reviews == nil {
		return errNoVerifier
	}
	decide, words, done := h.opt.Reviews.Reject, reason, "rejected"
	if approve {
		decide, words, done = h.opt.Reviews.Approve, note, "approved"
	}
	text, err := words(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := decide(r.Context(), id, adminFrom(r.Context()).Actor, text); err != nil {
		return serviceError(err)
	}
	h.opt.Logger.Info("console: verification "+done, "verification", id)
	return seeOther(w, r, BasePath+"/reviews?decided="+done)
}

// note reads an optional note, bounded like a reason.
func note(r *http.Request) (string, error) {
	s := strings.TrimSpace(r.PostForm.Get("note"))
	if !oneLine(s) {
		return "", &httperr.Error{Status: http.StatusBadRequest, Code: "bad-note", Title: "Not done",
			Public: "The note must be one line of at most 200 bytes."}
	}
	return s, nil
}

func reviewPath(id string) string { return BasePath + "/reviews/" + url.PathEscape(id) }

func evidencePath(id, eid string) string { return reviewPath(id) + "/evidence/" + url.PathEscape(eid) }
