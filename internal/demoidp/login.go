package demoidp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// browserCookie binds each auth request to the browser that first opened
// its login page. The POST of the form and the op callback must present
// the same value, so a leaked auth request ID is useless in another browser
// and a cross-site form post (no cookie under SameSite=Lax) is refused. The
// name is unusual on purpose: cookies ignore ports, and in the quickstart
// the gateway runs on the same host.
const browserCookie = "vigil_demoidp_browser"

const maxFormBytes = 16 << 10

// passwordChecker is what the login UI needs from the user directory.
type passwordChecker interface {
	Check(username, password string) (subject string, ok bool)
}

var _ passwordChecker = (*directory)(nil)

// loginUI serves the login form and guards the op callback.
type loginUI struct {
	store        loginStore
	users        passwordChecker
	usernames    []string
	pages        *pages
	now          func() time.Time
	random       io.Reader
	log          *slog.Logger
	formAction   string // path of the login endpoint
	callbackPath string // path of the op's authorize callback
	cookiePath   string
	cookieSecure bool
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

// storeError maps the login store's errors to what the user may read.
func storeError(err error) error {
	switch {
	case errors.Is(err, errUnknownRequest):
		return &userError{http.StatusNotFound, "Sign-in expired", "This sign-in request is unknown or has expired. Go back to the application and sign in again.", err}
	case errors.Is(err, errOtherBrowser), errors.Is(err, errBrowserMissing):
		return &userError{http.StatusForbidden, "Sign-in not allowed", "This sign-in was started in another browser or your cookies are blocked. Go back to the application and sign in again.", err}
	case errors.Is(err, errTooManyAttempts):
		return &userError{http.StatusTooManyRequests, "Too many attempts", "Too many failed sign-in attempts. Go back to the application and sign in again.", err}
	case errors.Is(err, errAlreadySignedIn):
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

// browserID returns the browser's binding value, setting a new cookie when
// it has none.
func (ui *loginUI) browserID(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	b := make([]byte, 32)
	if _, err := io.ReadFull(ui.random, b); err != nil {
		return "", fmt.Errorf("browser binding: %w", err)
	}
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: browserCookie, Value: v, Path: ui.cookiePath,
		HttpOnly: true, Secure: ui.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
	return v, nil
}

func presentedBrowser(r *http.Request) string {
	if c, err := r.Cookie(browserCookie); err == nil {
		return c.Value
	}
	return ""
}

// showForm is GET /login?authRequestID=...
func (ui *loginUI) showForm(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("authRequestID")
	browser, err := ui.browserID(w, r)
	if err != nil {
		return err
	}
	clientID, err := ui.store.loginClient(id, browser)
	if err != nil {
		return storeError(err)
	}
	return ui.renderForm(w, http.StatusOK, id, clientID, "", "")
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
	clientID, left, err := ui.store.beginAttempt(id, presentedBrowser(r))
	if err != nil {
		return storeError(err)
	}
	subject, ok := ui.users.Check(username, r.PostForm.Get("password"))
	if !ok {
		ui.log.WarnContext(r.Context(), "demo idp: wrong username or password", "auth_request", id, "attempts_left", left)
		if left == 0 {
			ui.store.abandon(id)
			return storeError(errTooManyAttempts)
		}
		return ui.renderForm(w, http.StatusUnauthorized, id, clientID, username, "Invalid username or password.")
	}
	if err := ui.store.completeLogin(id, subject, ui.now()); err != nil {
		return storeError(err)
	}
	ui.log.InfoContext(r.Context(), "demo idp: signed in", "sub", subject, "auth_request", id)
	http.Redirect(w, r, ui.callbackPath+"?id="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}

// guardCallback lets the op's authorize callback run only in the browser
// the auth request is bound to.
func (ui *loginUI) guardCallback(next http.Handler) http.Handler {
	return ui.handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := ui.store.checkBrowser(r.URL.Query().Get("id"), presentedBrowser(r)); err != nil {
			return storeError(err)
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

// loggedOut is where end_session lands without a post_logout_redirect_uri.
func (ui *loginUI) loggedOut(w http.ResponseWriter, _ *http.Request) error {
	return ui.pages.render(w, http.StatusOK, pageData{Title: "Signed out", Message: "You have been signed out. You can close this window."})
}
