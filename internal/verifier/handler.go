package verifier

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
)

const maxFormBytes = 16 << 10

// userError is an error whose text is safe to show. Everything else is
// logged and replaced by a generic message.
type userError struct {
	status int
	title  string
	msg    string
	reason string
	err    error
}

func (e *userError) Error() string {
	if e.err != nil {
		return e.reason + ": " + e.err.Error()
	}
	return e.reason
}
func (e *userError) Unwrap() error { return e.err }

func (e *userError) with(err error) *userError {
	c := *e
	c.err = err
	return &c
}

// flowError maps the OP core's and the store's errors to what the user may
// read.
func flowError(err error) error {
	switch {
	case errors.Is(err, oidcop.ErrUnknownRequest), errors.Is(err, store.ErrNotFound):
		return &userError{http.StatusNotFound, "Verification expired", "This verification request is unknown or has expired. Go back to the application and start again.", "request-unknown", err}
	case errors.Is(err, oidcop.ErrOtherBrowser):
		return &userError{http.StatusForbidden, "Not allowed", "This verification was started in another browser, or your cookies are blocked. Go back to the application and start again.", "other-browser", err}
	case errors.Is(err, oidcop.ErrCompleted):
		return &userError{http.StatusConflict, "Already finished", "This verification request is already finished. Go back to the application.", "request-completed", err}
	}
	return err
}

// routes serves the flow pages (paths relative to the issuer).
func (v *Verifier) routes() http.Handler {
	mux := http.NewServeMux()
	post := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle("POST "+pattern, http.NewCrossOriginProtection().Handler(v.handle(h)))
	}
	mux.Handle("GET /start", v.handle(v.start))
	mux.Handle("GET /email", v.handle(v.emailPage))
	post("/email/send", v.emailSend)
	mux.Handle("GET /email/code", v.handle(v.codePage))
	post("/email/verify", v.emailVerify)
	mux.Handle("GET /document", v.handle(v.documentPage))
	post("/document", v.documentUpload)
	post("/document/correct", v.documentCorrect)
	mux.Handle("GET /chip", v.handle(v.chipPage))
	post("/chip/pair", v.chipPair)
	// The reader API: bearer-token JSON for the reader app, no cookies.
	mux.Handle("POST /chip/challenge", v.chipAPI(v.chipChallenge))
	mux.Handle("POST /chip/upload", v.chipAPI(v.chipUploadHandler))
	mux.Handle("GET /selfie", v.handle(v.selfiePage))
	post("/selfie", v.selfieUpload)
	post("/selfie/challenge", v.livenessChallenge)
	post("/selfie/burst", v.livenessBurst)
	post("/capture/enrol/begin", v.captureEnrolBegin)
	post("/capture/enrol/finish", v.captureEnrolFinish)
	post("/capture/sign/begin", v.captureSignBegin)
	mux.Handle("GET /static/capture/", captureAssets())
	mux.Handle("GET /status", v.handle(v.status))
	mux.Handle("GET /static/", staticHandler())
	mux.Handle("GET /logged-out", v.handle(func(w http.ResponseWriter, _ *http.Request) error {
		return v.pages.render(w, http.StatusOK, pageData{Title: "Signed out", Message: "You have been signed out. You can close this window."})
	}))
	return mux
}

// handle adapts an error-returning handler. Log lines carry the path and
// the error class, never personal data (errors here name no person).
func (v *Verifier) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ue *userError
		if !errors.As(err, &ue) {
			v.cfg.Logger.ErrorContext(r.Context(), "verifier: page failed", "path", r.URL.Path, "error", err)
			ue = &userError{http.StatusInternalServerError, "Something went wrong", "The verification could not continue. Try again in a moment.", "internal", err}
		} else {
			v.cfg.Logger.InfoContext(r.Context(), "verifier: refused", "path", r.URL.Path, "reason", ue.reason)
		}
		if rerr := v.pages.render(w, ue.status, pageData{Title: ue.title, Error: ue.msg, Reason: ue.reason}); rerr != nil {
			v.cfg.Logger.ErrorContext(r.Context(), "verifier: render error page", "error", rerr)
		}
	})
}

// bound is one flow request: the auth request (checked against the
// browser) and its verification.
type bound struct {
	id    string
	req   oidcop.Request
	rec   *store.Verification
	steps steps
}

// load checks the browser binding of the auth request named by ?id= and
// loads its verification.
func (v *Verifier) load(r *http.Request) (*bound, error) {
	id := r.URL.Query().Get("id")
	req, err := v.op.Check(r, id)
	if err != nil {
		return nil, flowError(err)
	}
	return v.loadFor(r, id, req)
}

func (v *Verifier) loadFor(r *http.Request, id string, req oidcop.Request) (*bound, error) {
	rec, err := v.db.GetVerificationByAuthRequest(r.Context(), id)
	if err != nil {
		return nil, flowError(err)
	}
	if rec.ClientID != req.ClientID {
		return nil, fmt.Errorf("verifier: verification %s belongs to another client", rec.ID)
	}
	s, err := decodeSteps(rec.Steps)
	if err != nil {
		return nil, err
	}
	if rec.Status == store.VerificationStarted && !v.cfg.Clock().Before(rec.ExpiresAt) {
		return nil, &userError{http.StatusGone, "Verification expired", "This verification took too long. Go back to the application and start again.", "verification-expired", nil}
	}
	return &bound{id: id, req: req, rec: rec, steps: s}, nil
}

// next is where the flow continues for b.
func (v *Verifier) next(b *bound) string {
	s := b.steps
	path := "/status"
	switch {
	case b.rec.Status != store.VerificationStarted:
	case s.Email == nil && s.EmailPending != "":
		path = "/email/code"
	case s.Email == nil:
		path = "/email"
	case needsDocument(b.rec.Rung) && (s.Document == nil || s.Document.Fields == nil):
		path = "/document"
	case needsChip(b.rec.Rung) && !s.Chip.accepted():
		path = "/chip"
	case needsDocument(b.rec.Rung) && s.Selfie == nil:
		path = "/selfie"
	}
	return v.op.Path(path) + "?id=" + b.id
}

// stepOf numbers the pages for "Step n of m".
func stepsFor(rung string) int {
	switch {
	case needsChip(rung):
		return 4
	case needsDocument(rung):
		return 3
	}
	return 1
}

func (v *Verifier) redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
