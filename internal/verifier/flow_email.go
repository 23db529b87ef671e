package verifier

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/email"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/store"
)

// start is the first page: it binds the auth request to the browser, reuses
// an earlier approval when it suffices, and sends the browser to its step.
func (v *Verifier) start(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("id")
	req, err := v.op.Bind(w, r, id)
	if err != nil {
		return flowError(err)
	}
	b, err := v.loadFor(r, id, req)
	if err != nil {
		return err
	}
	if b.rec.Status == store.VerificationStarted && b.rec.ClaimedEmail != "" && !req.ForceLogin() {
		prev, err := v.db.FindApprovedVerification(r.Context(), b.rec.ClaimedEmail)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case rank(prev.Rung) >= rank(b.rec.Rung) && prev.PersonSubject != "":
			ps, err := decodeSteps(prev.Steps)
			if err != nil {
				return err
			}
			fresh := req.MaxAge == nil || sinceFinished(ps, v.cfg.Clock()) <= *req.MaxAge
			if fresh && !ps.FinishedAt.IsZero() && v.sameAccountName(b.rec, ps) {
				return v.finish(w, r, &bound{id: id, req: req, rec: prev, steps: ps})
			}
		}
	}
	return v.redirect(w, r, v.next(b))
}

func (v *Verifier) emailPage(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	return v.renderEmail(w, http.StatusOK, b, nil)
}

func (v *Verifier) renderEmail(w http.ResponseWriter, status int, b *bound, e *email.Error) error {
	d := pageData{Page: "email", Title: "Confirm your work email", ID: b.id, Step: 1, Steps: stepsFor(b.rec.Rung),
		Email: b.rec.ClaimedEmail, EmailFixed: b.rec.ClaimedEmail != "",
		CaptureEnrol: needsDocument(b.rec.Rung) && !b.steps.Capture.bound()}
	if e != nil {
		d.Error, d.Reason = e.Error(), string(e.Reason)
	}
	return v.pages.render(w, status, d)
}

func (v *Verifier) renderCode(w http.ResponseWriter, status int, b *bound, addr string, e *email.Error, notice string) error {
	d := pageData{Page: "code", Title: "Enter the code", ID: b.id, Step: 1, Steps: stepsFor(b.rec.Rung), Email: addr, Notice: notice}
	if e != nil {
		d.Error, d.Reason = e.Error(), string(e.Reason)
	}
	return v.pages.render(w, status, d)
}

// emailSend issues a code and mails it. With a login_hint the address is
// the hint whatever the form says: the code proves control of the primary
// account's address.
func (v *Verifier) emailSend(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if b.steps.Email != nil {
		return v.redirect(w, r, v.next(b))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errUploadBroken.with(err)
	}
	addr := b.rec.ClaimedEmail
	if addr == "" {
		addr = r.PostForm.Get("address")
	}
	code, expires, err := v.codes.Issue(r.Context(), b.rec.ID, addr)
	var e *email.Error
	if errors.As(err, &e) {
		status := http.StatusBadRequest
		if e.Reason == email.ReasonRateLimited || e.Reason == email.ReasonLockedOut {
			status = http.StatusTooManyRequests
		}
		if b.steps.EmailPending != "" {
			return v.renderCode(w, status, b, b.steps.EmailPending, e, "")
		}
		return v.renderEmail(w, status, b, e)
	}
	if err != nil {
		return err
	}
	norm, err := email.NormalizeAddress(addr)
	if err != nil {
		return err // Issue accepted it: unreachable
	}
	msg := mail.Message{
		To:      norm,
		Subject: "Your identity verification code",
		Text: fmt.Sprintf("Your code is %s. It expires at %s UTC.\n\nEnter it on the verification page. If you did not ask for it, ignore this mail.\n\n%s\n",
			code, expires.UTC().Format("15:04"), v.cfg.From),
	}
	if err := v.cfg.Mail.Send(r.Context(), msg); err != nil {
		return fmt.Errorf("verifier: send code: %w", err) // the mail error names no code
	}
	if _, err := v.mutate(r.Context(), b.rec.ID, func(_ *store.Verification, s *steps) error {
		s.EmailPending = norm
		return nil
	}); err != nil {
		return err
	}
	return v.redirect(w, r, v.op.Path("/email/code")+"?id="+b.id+"&sent=1")
}

func (v *Verifier) codePage(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	if b.steps.EmailPending == "" || b.steps.Email != nil {
		return v.redirect(w, r, v.next(b))
	}
	notice := ""
	if r.URL.Query().Get("sent") != "" {
		notice = "We sent you a code. It may take a minute to arrive."
	}
	return v.renderCode(w, http.StatusOK, b, b.steps.EmailPending, nil, notice)
}

// emailVerify checks the code. Every check goes to the email package, so a
// replayed code is refused (code-used) and guesses lock the mailbox out.
func (v *Verifier) emailVerify(w http.ResponseWriter, r *http.Request) error {
	b, err := v.load(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errUploadBroken.with(err)
	}
	addr := b.steps.EmailPending
	if addr == "" {
		return v.redirect(w, r, v.next(b))
	}
	err = v.codes.Check(r.Context(), b.rec.ID, addr, r.PostForm.Get("code"))
	var e *email.Error
	if errors.As(err, &e) {
		status := http.StatusBadRequest
		if e.Reason == email.ReasonLockedOut {
			status = http.StatusTooManyRequests
		}
		return v.renderCode(w, status, b, addr, e, "")
	}
	if err != nil {
		return err
	}
	if b.steps.Email != nil {
		return v.redirect(w, r, v.next(b))
	}
	now := v.cfg.Clock()
	rec, err := v.mutate(r.Context(), b.rec.ID, func(rec *store.Verification, s *steps) error {
		s.Email = &emailStep{Address: addr, VerifiedAt: now}
		if !needsDocument(rec.Rung) {
			// The email rung is complete: nothing for a reviewer to see.
			rec.Status, rec.PersonSubject = store.VerificationApproved, v.emailSubject(addr)
			s.FinishedAt = now
		}
		return nil
	})
	if err != nil {
		return err
	}
	nb, err := v.rebind(b, rec)
	if err != nil {
		return err
	}
	if rec.Status == store.VerificationApproved {
		return v.finish(w, r, nb)
	}
	return v.redirect(w, r, v.next(nb))
}

// rebind returns b with the saved record.
func (v *Verifier) rebind(b *bound, rec *store.Verification) (*bound, error) {
	s, err := decodeSteps(rec.Steps)
	if err != nil {
		return nil, err
	}
	return &bound{id: b.id, req: b.req, rec: rec, steps: s}, nil
}

// authTime is when the person finished the steps.
func authTime(s steps) time.Time { return s.FinishedAt }
