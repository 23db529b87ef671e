package authn

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// logoutDiscoveryTimeout keeps logout snappy when the provider is down:
// the local session is already gone, the provider's is best effort.
const logoutDiscoveryTimeout = 3 * time.Second

// logout ends the local session, then the provider's when it advertises an
// end_session_endpoint (RP-initiated logout), else shows the signed-out
// page. A cross-site GET can only log the user out, which is acceptable.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
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
	return h.renderSignedOut(w)
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
	return h.renderSignedOut(w)
}
