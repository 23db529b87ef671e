package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

var (
	errStore = &httperr.Error{Status: http.StatusServiceUnavailable, Code: "store-unavailable", Title: "Try again",
		Public: "Your session could not be checked right now. Try again in a moment."}
	errCrossOrigin = &httperr.Error{Status: http.StatusForbidden, Code: "cross-origin", Title: "Request refused",
		Public: "The form was sent from another site. Open the console again and submit it from there."}
	errCSRF = &httperr.Error{Status: http.StatusForbidden, Code: "csrf", Title: "Request refused",
		Public: "The form's security token is missing or belongs to another session. Open the page again and resubmit."}
	errNotFound = &httperr.Error{Status: http.StatusNotFound, Code: "not-found", Title: "Not found",
		Public: "There is no such page."}
	errForm = &httperr.Error{Status: http.StatusBadRequest, Code: "bad-form", Title: "Request refused",
		Public: "The form could not be read."}
)

// notAdmin names the group needed: the person asking is signed in and may
// ask to be added to it.
func notAdmin(group string) *httperr.Error {
	return &httperr.Error{Status: http.StatusForbidden, Code: "not-an-admin", Title: "Administrators only",
		Public: "You are signed in, but the console is for members of the group \"" + group + "\". Ask an administrator to add you if you should have access."}
}

// adminUser is the signed-in administrator.
type adminUser struct {
	Actor   string // recorded in audits: "console:" + email or user ID
	Display string
	CSRF    string // this session's form token
	// Evidence: also in the evidence group, so shown evidence images.
	Evidence bool
}

type adminKey struct{}

func adminFrom(ctx context.Context) *adminUser {
	a, _ := ctx.Value(adminKey{}).(*adminUser)
	return a
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authed runs fn for an administrator only. A request without a session is
// sent to sign in and back; a POST must also be same-origin and carry the
// session's CSRF token, checked before fn reads anything else.
func (h *Handler) authed(fn handlerFunc, post bool) http.Handler {
	return h.plain(func(w http.ResponseWriter, r *http.Request) error {
		if post && !h.sameOrigin(r) {
			return errCrossOrigin
		}
		sess, err := h.opt.Sessions.LookupRequest(r)
		switch {
		case errors.Is(err, session.ErrNoSession):
			h.toLogin(w, r, post)
			return nil
		case err != nil:
			return errStore.With(err)
		}
		if !slices.Contains(sess.Identity.Groups, h.opt.Group) {
			return notAdmin(h.opt.Group)
		}
		a := &adminUser{Actor: actor(sess), Display: sess.Identity.Email, CSRF: csrfToken(h.opt.CSRFKey, sess.ID),
			Evidence: h.opt.EvidenceGroup != "" && slices.Contains(sess.Identity.Groups, h.opt.EvidenceGroup)}
		if a.Display == "" {
			a.Display = sess.UserID
		}
		if post {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				return errForm.With(err)
			}
			if !csrfValid(h.opt.CSRFKey, sess.ID, r.PostForm.Get("csrf")) {
				return errCSRF
			}
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), adminKey{}, a)))
	})
}

// maxForm bounds a console form body.
const maxForm = 16 << 10

func actor(s *store.Session) string {
	if s.Identity.Email != "" {
		return "console:" + s.Identity.Email
	}
	return "console:" + s.UserID
}

// toLogin sends the browser to the gateway's sign-in, back to this page
// afterwards. The return is a path on this origin only; after a POST it is
// the console's front page (a form is not resent).
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request, post bool) {
	rd := BasePath + "/"
	if !post {
		rd = r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			rd += "?" + r.URL.RawQuery
		}
	}
	http.Redirect(w, r, h.opt.LoginPath+"?"+url.Values{"rd": {rd}}.Encode(), http.StatusFound)
}

// sameOrigin refuses what a browser marks as sent from elsewhere: a
// Sec-Fetch-Site other than same-origin, or an Origin other than the
// gateway's. Clients that send neither (not browsers) still need the
// CSRF token, which only a console page carries.
//
// Origin "null" passes only beside Sec-Fetch-Site: same-origin: the
// console's own Referrer-Policy (no-referrer) makes browsers send "null"
// on its form posts (Fetch: a POST's origin under no-referrer), while a
// sandboxed frame or data: page elsewhere, the other sources of "null",
// is marked cross-site.
func (h *Handler) sameOrigin(r *http.Request) bool {
	site := r.Header.Values("Sec-Fetch-Site")
	if len(site) > 1 || (len(site) == 1 && site[0] != "same-origin") {
		return false
	}
	o := r.Header.Values("Origin")
	switch {
	case len(o) == 0:
		return true
	case len(o) > 1:
		return false
	case o[0] == "null":
		return len(site) == 1
	}
	return o[0] == h.origin
}

// plain adapts fn, rendering its error. Logs carry the route, the code and
// the cause.
func (h *Handler) plain(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		pe := httperr.Page(err)
		httperr.LogPage(h.opt.Logger, r, "console: request refused", pe)
		_ = h.pages.render(w, pe.Status, pageData{Page: "error", Title: pe.Title, Status: pe.Status, Code: pe.Code, Msg: pe.Public})
	})
}
