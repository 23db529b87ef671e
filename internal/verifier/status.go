package verifier

import (
	"errors"
	"net/http"

	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

// finish completes the auth request with an approved verification b.rec
// (this flow's, or an earlier one being reused) and sends the browser on.
func (v *Verifier) finish(w http.ResponseWriter, r *http.Request, b *bound) error {
	if b.steps.Email != nil {
		v.recent.put(b.rec.PersonSubject, b.req.ClientID, b.steps.Email.Address)
	}
	next, err := v.op.Complete(r.Context(), b.id, oidcop.Result{
		Subject: b.rec.PersonSubject, AuthTime: authTime(b.steps), ACR: b.rec.Rung, AMR: amrOf(b.steps),
	})
	switch {
	case errors.Is(err, oidcop.ErrStaleAuth):
		return v.verifiedPage(w)
	case err != nil:
		return flowError(err)
	}
	v.cfg.Logger.InfoContext(r.Context(), "verifier: completed", "verification", b.rec.ID, "rung", b.rec.Rung)
	return v.redirect(w, r, next)
}

// verifiedPage is for an approval that can no longer complete its own auth
// request (expired, or older than max_age): the next authorization
// completes at once.
func (v *Verifier) verifiedPage(w http.ResponseWriter) error {
	return v.pages.render(w, http.StatusOK, pageData{Title: "Verified", Message: "Verified — return to the app and continue there."})
}

// status is the waiting page: it refreshes itself until a reviewer
// decides, then completes or fails the auth request.
func (v *Verifier) status(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("id")
	req, err := v.op.Check(r, id)
	if errors.Is(err, oidcop.ErrUnknownRequest) || errors.Is(err, oidcop.ErrCompleted) {
		// The auth request is gone: say only how the verification ended.
		rec, gerr := v.db.GetVerificationByAuthRequest(r.Context(), id)
		if gerr == nil && rec.Status == store.VerificationApproved {
			return v.verifiedPage(w)
		}
		if gerr == nil && rec.Status == store.VerificationRejected {
			return v.rejectedPage(w, rec, "")
		}
		return flowError(err)
	}
	if err != nil {
		return flowError(err)
	}
	b, err := v.loadFor(r, id, req)
	if err != nil {
		return err
	}
	switch b.rec.Status {
	case store.VerificationApproved:
		return v.finish(w, r, b)
	case store.VerificationRejected:
		next, err := v.op.Fail(r.Context(), id, &oidcop.AuthError{Code: oidcop.AccessDenied, Description: "identity verification was rejected"})
		if err != nil {
			return flowError(err)
		}
		return v.rejectedPage(w, b.rec, next)
	case store.VerificationReview:
		return v.pages.render(w, http.StatusOK, pageData{
			Title: "Waiting for review", Refresh: 5, Reasons: b.rec.Reasons,
			Message: "Thank you. A reviewer is checking your document and photo. This page updates itself; keep it open.",
		})
	case store.VerificationExpired:
		return &userError{http.StatusGone, "Verification expired", "This verification took too long. Go back to the application and start again.", "verification-expired", nil}
	}
	return v.redirect(w, r, v.next(b))
}

func (v *Verifier) rejectedPage(w http.ResponseWriter, rec *store.Verification, next string) error {
	return v.pages.render(w, http.StatusOK, pageData{
		Title: "Verification not accepted", Reasons: rec.Reasons, Continue: next,
		Message: "A reviewer could not accept this verification. You may start again from the application.",
	})
}
