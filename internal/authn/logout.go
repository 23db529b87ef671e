package authn

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// logoutDiscoveryTimeout keeps logout snappy when the provider is down:
// the local session is already gone, the provider's is best effort.
const logoutDiscoveryTimeout = 3 * time.Second

// maxLogoutForm bounds the logout form body (it carries rd at most).
const maxLogoutForm = 16 << 10

// cspOrigin is what an origin must look like to be written into the
// Content-Security-Policy header: nothing that could end the directive.
var cspOrigin = regexp.MustCompile(`^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$`)

// logoutConfirm (GET) asks before signing out. A GET never ends a session:
// images, link prefetchers and cross-site links all send GETs.
func (h *Handler) logoutConfirm(w http.ResponseWriter, r *http.Request) error {
	rd := h.optionalReturn(r.URL.Query().Get("rd"))
	// Browsers check form-action against every redirect that follows the
	// POST, so the provider's end_session origin must be allowed here.
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
		"form-action 'self'", "form-action "+strings.Join(h.logoutFormAction(r.Context()), " "), 1))
	return h.render(w, http.StatusOK, "logout", map[string]any{
		"Host": h.public.Host, "Action": PathLogout, "Return": rd,
	})
}

// logoutFormAction lists 'self' and the origin of every provider's
// end_session_endpoint that discovery knows.
func (h *Handler) logoutFormAction(ctx context.Context) []string {
	out := []string{"'self'"}
	ctx, cancel := context.WithTimeout(ctx, logoutDiscoveryTimeout)
	defer cancel()
	for _, p := range h.order {
		d, err := p.discover(ctx)
		if err != nil || d.endSession == "" {
			continue
		}
		u, err := url.Parse(d.endSession)
		if err != nil {
			continue
		}
		o := strings.ToLower(u.Scheme + "://" + u.Host)
		if cspOrigin.MatchString(o) && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// logout (POST) ends the local session, then the provider's when it
// advertises an end_session_endpoint (RP-initiated logout), else shows the
// signed-out page. Cross-origin browser POSTs are refused first, so no
// other site can sign the user out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.csrf.Check(r); err != nil {
		return failStatus(ReasonLogoutCrossOrigin, http.StatusForbidden, err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLogoutForm)
	rd := h.optionalReturn(r.PostFormValue("rd"))
	rev, err := h.revoker.Revoke(r.Context(), r)
	if rev.Clear != nil {
		http.SetCookie(w, rev.Clear)
	}
	if err != nil {
		return withProvider(failStatus(ReasonLogoutFailed, http.StatusInternalServerError, err), h.providers[rev.Provider])
	}
	if p := h.providers[rev.Provider]; p != nil {
		ctx, cancel := context.WithTimeout(r.Context(), logoutDiscoveryTimeout)
		d, derr := p.discover(ctx)
		cancel()
		if derr == nil && d.endSession != "" {
			if target, err := h.endSessionURL(p, d, rev.IDToken); err == nil {
				http.Redirect(w, r, target, http.StatusSeeOther)
				return nil
			}
		}
		if derr != nil {
			h.log.Warn("provider logout skipped", "provider", p.name, "err", derr)
		}
	}
	return h.renderSignedOut(w, rd)
}

// optionalReturn validates an optional rd; a bad one is dropped rather than
// blocking sign-out (it only ever becomes a link).
func (h *Handler) optionalReturn(rd string) string {
	if rd == "" {
		return ""
	}
	safe, err := h.SafeReturn(rd)
	if err != nil {
		return ""
	}
	return safe
}

func (h *Handler) endSessionURL(p *Provider, d *discovered, idToken string) (string, error) {
	u, err := url.Parse(d.endSession)
	if err != nil {
		return "", err
	}
	state, err := h.randomString()
	if err != nil {
		return "", err
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", p.clientID)
	q.Set("post_logout_redirect_uri", h.public.String()+PathSignedOut)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request) error {
	return h.renderSignedOut(w, "")
}
