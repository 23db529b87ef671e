package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
)

// PathBackchannelLogout receives OpenID Connect Back-Channel Logout 1.0
// logout tokens, POSTed by providers (server to server, no browser).
const PathBackchannelLogout = pathPrefix + "backchannel-logout"

const (
	maxBackchannelBody = 64 << 10
	// maxLogoutTokenAge refuses logout tokens issued long ago. exp is
	// optional in the spec as first published, so iat is what bounds how
	// long a captured token could be replayed, and so how long its jti
	// stays in the ledger. The spec asks OPs for two minutes at most.
	maxLogoutTokenAge = 10 * time.Minute
	maxJTILen         = 1024
	backchannelEvent  = "http://schemas.openid.net/event/backchannel-logout"
)

// Reasons a logout token is refused (logs, metrics and error_description).
const (
	ReasonLogoutTokenMissing        = "logout-token-missing"
	ReasonLogoutTokenMalformed      = "logout-token-malformed"
	ReasonLogoutTokenType           = "logout-token-wrong-type"
	ReasonLogoutTokenIssuerUnknown  = "logout-token-issuer-unknown"
	ReasonLogoutTokenAudience       = "logout-token-audience-mismatch"
	ReasonLogoutTokenAlgNotAllowed  = "logout-token-alg-not-allowed"
	ReasonLogoutTokenUnknownKey     = "logout-token-unknown-key"
	ReasonLogoutTokenBadSignature   = "logout-token-bad-signature"
	ReasonLogoutTokenExpired        = "logout-token-expired"
	ReasonLogoutTokenNotYetValid    = "logout-token-not-yet-valid"
	ReasonLogoutTokenIATInvalid     = "logout-token-iat-invalid"
	ReasonLogoutTokenJTIInvalid     = "logout-token-jti-invalid"
	ReasonLogoutTokenReplayed       = "logout-token-replayed"
	ReasonLogoutTokenEventMissing   = "logout-token-event-missing"
	ReasonLogoutTokenEventInvalid   = "logout-token-event-invalid"
	ReasonLogoutTokenSubjectMissing = "logout-token-sub-sid-missing"
	ReasonLogoutTokenNonce          = "logout-token-nonce-present"
	ReasonLogoutTokenInvalid        = "logout-token-invalid"
	ReasonBackchannelFailed         = "backchannel-logout-failed"
)

// BackchannelSessions finds and ends the sessions a verified logout token
// names. Ending a session must make it unusable on every replica.
type BackchannelSessions interface {
	// SessionsBySID lists provider's sessions signed in during the
	// provider's session sid.
	SessionsBySID(ctx context.Context, provider, sid string) ([]store.Session, error)
	// Revoke ends one session; a session that is already gone is not an error.
	Revoke(ctx context.Context, sessionID string) error
	// RevokeUser ends every session of userID (session.UserID) and
	// returns how many it ended.
	RevokeUser(ctx context.Context, userID string) (int, error)
	// LoggedOut records an accepted logout token for the audit trail: once
	// per user whose sessions it ended, or once with Count 0 if none.
	LoggedOut(ctx context.Context, ev BackchannelLogout)
}

// BackchannelLogout is one accepted logout token's effect for one user.
type BackchannelLogout struct {
	Provider string   // configured provider (or verifier) name
	UserID   string   // Vigil user ID; "" when the token named only a sid and nothing matched
	Sessions []string // sessions ended one by one (by sid); nil when ended by user
	Count    int      // sessions ended
}

// logoutClaims are the claims a logout token is checked on. Raw messages
// tell a present claim (even null) from an absent one.
type logoutClaims struct {
	Issuer    string          `json:"iss"`
	Subject   string          `json:"sub"`
	SID       string          `json:"sid"`
	Audience  audience        `json:"aud"`
	IssuedAt  *numericDate    `json:"iat"`
	Expiry    *numericDate    `json:"exp"`
	NotBefore *numericDate    `json:"nbf"`
	JTI       string          `json:"jti"`
	Events    json.RawMessage `json:"events"`
	Nonce     json.RawMessage `json:"nonce"`
}

// backchannelLogout answers the provider with 200 once the sessions are
// ended (also when none matched: the user may have signed out already),
// else with an OAuth-style JSON error carrying only the reason code.
func (h *Handler) backchannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	r.Body = http.MaxBytesReader(w, r.Body, maxBackchannelBody)
	err := h.handleLogoutToken(r)
	if err == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	f := asFailure(err)
	h.log.Warn("back-channel logout refused", "reason", f.Reason, "provider", f.Provider, "status", f.Status, "err", f.Err)
	h.onFailure(f.Provider, f.Reason)
	code := "invalid_request"
	if f.Status >= 500 {
		code = "server_error"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": f.Reason})
}

func (h *Handler) handleLogoutToken(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		// Not wrapped: parse errors quote the body, which may hold a token.
		return fail(ReasonLogoutTokenMalformed, errors.New("body is not a url-encoded form of at most 64 KiB"))
	}
	toks := r.PostForm["logout_token"]
	switch {
	case len(toks) == 0 || toks[0] == "":
		return fail(ReasonLogoutTokenMissing, nil)
	case len(toks) > 1:
		return fail(ReasonLogoutTokenMalformed, errors.New("several logout_token parameters"))
	}
	p, c, err := h.verifyLogoutToken(r.Context(), toks[0])
	if err != nil {
		return err
	}
	if err := h.endSessions(r.Context(), p, c); err != nil {
		return withProvider(failStatus(ReasonBackchannelFailed, http.StatusInternalServerError, err), p)
	}
	return nil
}

// endSessions ends what the token names: with a sid, the sessions of that
// provider session (only the subject's, if sub is given too); with only a
// sub, every session of the user. A verifier's sessions are not gateway
// sessions (those belong to the primary provider), so its tokens end none.
func (h *Handler) endSessions(ctx context.Context, p *Provider, c *logoutClaims) error {
	var evs []*BackchannelLogout
	var errs []error
	switch {
	case p.verifier != nil:
	case c.SID == "":
		ev := &BackchannelLogout{Provider: p.name, UserID: session.UserID(p.name, c.Subject)}
		n, err := h.backchannel.RevokeUser(ctx, ev.UserID)
		if err != nil {
			errs = append(errs, fmt.Errorf("revoking the user's sessions: %w", err))
		}
		ev.Count = n
		evs = append(evs, ev)
	default:
		list, err := h.backchannel.SessionsBySID(ctx, p.name, c.SID)
		if err != nil {
			return fmt.Errorf("finding sessions by sid: %w", err)
		}
		for _, s := range list {
			if s.Provider != p.name || c.Subject != "" && s.Identity.Subject != c.Subject {
				continue
			}
			if err := h.backchannel.Revoke(ctx, s.ID); err != nil {
				errs = append(errs, fmt.Errorf("revoking a session: %w", err))
				continue
			}
			i := slices.IndexFunc(evs, func(e *BackchannelLogout) bool { return e.UserID == s.UserID })
			if i < 0 {
				evs, i = append(evs, &BackchannelLogout{Provider: p.name, UserID: s.UserID}), len(evs)
			}
			evs[i].Sessions = append(evs[i].Sessions, s.ID)
			evs[i].Count++
		}
	}
	if len(evs) == 0 {
		ev := &BackchannelLogout{Provider: p.name}
		if c.Subject != "" && p.verifier == nil {
			ev.UserID = session.UserID(p.name, c.Subject)
		}
		evs = append(evs, ev)
	}
	for _, ev := range evs {
		h.backchannel.LoggedOut(ctx, *ev)
		// The Vigil user ID, never sub or sid: logs carry no personal data.
		h.log.Info("back-channel logout", "provider", p.name, "user", ev.UserID, "sessions", ev.Count)
	}
	return errors.Join(errs...)
}
