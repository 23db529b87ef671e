package demoidp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

// The demo provider authenticates with a password only, so every token
// carries the same method and assurance values.
const (
	// ACR is the acr value of every ID token the demo provider issues.
	ACR         = "urn:vigil:demo:pwd"
	amrPassword = "pwd" // RFC 8176
)

// maxAttempts is how many passwords one auth request may try; after that the
// request is dropped and the user must start again at the application.
const maxAttempts = 5

const maxFormBytes = 16 << 10

// flow is what the login UI needs from the OP core.
type flow interface {
	Bind(w http.ResponseWriter, r *http.Request, id string) (oidcop.Request, error)
	Attempt(r *http.Request, id string, limit int) (oidcop.Request, int, error)
	Abandon(id string)
	Complete(ctx context.Context, id string, res oidcop.Result) (string, error)
}

var _ flow = (*oidcop.Provider)(nil)

// passwordChecker is what the login UI needs from the user directory.
type passwordChecker interface {
	Check(username, password string) (subject string, ok bool)
}

var _ passwordChecker = (*directory)(nil)

// loginUI is the password form: the oidcop Authenticator of the demo
// provider.
type loginUI struct {
	op         flow // set by New before anything is served
	users      passwordChecker
	usernames  []string
	pages      *pages
	now        func() time.Time
	log        *slog.Logger
	formAction string // path of the login endpoint
}

var _ oidcop.Authenticator = (*loginUI)(nil)

// Begin sends every authorization to the password form: there are no
// sessions, so prompt=login and max_age are met by asking every time.
func (ui *loginUI) Begin(_ context.Context, req oidcop.Request) (string, error) {
	return ui.formAction + "?authRequestID=" + url.QueryEscape(req.ID), nil
}

// routes serves the UI's paths (relative to the issuer path).
func (ui *loginUI) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /login", ui.handle(ui.showForm))
	mux.Handle("POST /login", http.NewCrossOriginProtection().Handler(ui.handle(ui.submit)))
	mux.Handle("GET /logged-out", ui.handle(ui.loggedOut))
	return mux
}

// userError is an error with text that is safe to show. Everything else
// is logged and replaced by a generic message.
type userError struct {
	status int
	title  string
	msg    string
	err    error
}

func (e *userError) Error() string { return fmt.Sprintf("%s: %v", e.msg, e.err) }
func (e *userError) Unwrap() error { return e.err }

// flowError maps the core's errors to what the user may read.
func flowError(err error) error {
	switch {
	case errors.Is(err, oidcop.ErrUnknownRequest):
		return &userError{http.StatusNotFound, "Sign-in expired", "This sign-in request is unknown or has expired. Go back to the application and sign in again.", err}
	case errors.Is(err, oidcop.ErrOtherBrowser):
		return &userError{http.StatusForbidden, "Sign-in not allowed", "This sign-in was started in another browser or your cookies are blocked. Go back to the application and sign in again.", err}
	case errors.Is(err, oidcop.ErrTooManyAttempts):
		return &userError{http.StatusTooManyRequests, "Too many attempts", "Too many failed sign-in attempts. Go back to the application and sign in again.", err}
	case errors.Is(err, oidcop.ErrCompleted):
		return &userError{http.StatusConflict, "Already signed in", "This sign-in request has already been completed. Go back to the application.", err}
	}
	return err
}

// handle adapts an error-returning handler: user errors become a page,
// anything else is logged and shown as a generic failure.
func (ui *loginUI) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ue *userError
		if !errors.As(err, &ue) {
			ui.log.ErrorContext(r.Context(), "demo idp: login page failed", "path", r.URL.Path, "error", err)
			ue = &userError{http.StatusInternalServerError, "Something went wrong", "The sign-in could not be completed. Go back to the application and try again.", err}
		} else {
			ui.log.InfoContext(r.Context(), "demo idp: sign-in refused", "path", r.URL.Path, "reason", ue.err)
		}
		if rerr := ui.pages.render(w, ue.status, pageData{Title: ue.title, Message: ue.msg}); rerr != nil {
			ui.log.ErrorContext(r.Context(), "demo idp: render error page", "error", rerr)
		}
	})
}

// showForm is GET /login?authRequestID=...; it binds the request to the
// browser.
func (ui *loginUI) showForm(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("authRequestID")
	req, err := ui.op.Bind(w, r, id)
	if err != nil {
		return flowError(err)
	}
	return ui.renderForm(w, http.StatusOK, id, req.ClientID, "", "")
}

func (ui *loginUI) renderForm(w http.ResponseWriter, status int, id, clientID, username, msg string) error {
	return ui.pages.render(w, status, pageData{Title: "Sign in", Form: &formData{
		Action: ui.formAction, AuthRequestID: id, ClientID: clientID,
		Username: username, Error: msg, Users: ui.usernames,
	}})
}

// submit is POST /login. The browser binding is checked before the
// password, and every attempt counts, so the form is useless across sites
// and cannot be used to guess passwords at length.
func (ui *loginUI) submit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return &userError{http.StatusBadRequest, "Bad request", "The sign-in form could not be read.", err}
	}
	id := r.PostForm.Get("authRequestID")
	username := r.PostForm.Get("username")
	req, left, err := ui.op.Attempt(r, id, maxAttempts)
	if err != nil {
		return flowError(err)
	}
	subject, ok := ui.users.Check(username, r.PostForm.Get("password"))
	if !ok {
		ui.log.WarnContext(r.Context(), "demo idp: wrong username or password", "auth_request", id, "attempts_left", left)
		if left == 0 {
			ui.op.Abandon(id)
			return flowError(oidcop.ErrTooManyAttempts)
		}
		return ui.renderForm(w, http.StatusUnauthorized, id, req.ClientID, username, "Invalid username or password.")
	}
	next, err := ui.op.Complete(r.Context(), id, oidcop.Result{
		Subject: subject, AuthTime: ui.now(), ACR: ACR, AMR: []string{amrPassword},
	})
	if err != nil {
		return flowError(err)
	}
	ui.log.InfoContext(r.Context(), "demo idp: signed in", "sub", subject, "auth_request", id)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// loggedOut is where end_session lands without a post_logout_redirect_uri.
func (ui *loginUI) loggedOut(w http.ResponseWriter, _ *http.Request) error {
	return ui.pages.render(w, http.StatusOK, pageData{Title: "Signed out", Message: "You have been signed out. You can close this window."})
}
