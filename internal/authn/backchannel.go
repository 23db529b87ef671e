package authn

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

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

// verifyLogoutToken applies Back-Channel Logout 1.0 section 2.6: the
// provider is found by iss and aud (unverified, only to choose the keys),
// then the signature, claims and jti are checked as for an ID token.
func (h *Handler) verifyLogoutToken(ctx context.Context, raw string) (*Provider, *logoutClaims, error) {
	if len(raw) > maxIDTokenLen {
		return nil, nil, fail(ReasonLogoutTokenMalformed, errors.New("logout token too long"))
	}
	hdr, unverified, err := splitLogoutToken(raw)
	if err != nil {
		return nil, nil, fail(ReasonLogoutTokenMalformed, err)
	}
	// Explicit typing is only RECOMMENDED (section 4.1), and some OPs send
	// "JWT": the events claim and the nonce ban still tell a logout token
	// from an ID token. Any other type is some other JWT.
	switch strings.TrimPrefix(strings.ToLower(hdr.Typ), "application/") {
	case "", "jwt", "logout+jwt":
	default:
		return nil, nil, fail(ReasonLogoutTokenType, fmt.Errorf("typ %q", truncate(hdr.Typ, 64)))
	}
	p, err := h.logoutProvider(unverified)
	if err != nil {
		return nil, nil, err
	}
	f := func(reason string, err error) error { return withProvider(fail(reason, err), p) }
	if !slices.Contains(p.algs, hdr.Alg) {
		return nil, nil, f(ReasonLogoutTokenAlgNotAllowed, fmt.Errorf("alg %q not in allow-list", truncate(hdr.Alg, 32)))
	}
	algs := make([]jose.SignatureAlgorithm, len(p.algs))
	for i, a := range p.algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	if jws, err := jose.ParseSigned(raw, algs); err != nil || len(jws.Signatures) != 1 {
		return nil, nil, f(ReasonLogoutTokenMalformed, errors.New("not a single-signature compact JWS"))
	}
	d, err := p.discover(ctx)
	if err != nil {
		return nil, nil, withProvider(failStatus(ReasonProviderUnreachable, http.StatusBadGateway, err), p)
	}
	// The provider's own key set, shared with ID token verification.
	payload, err := d.keys.VerifySignature(oidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		kf := asFailure(p.classifyKeyFailure(ctx, d, hdr.Kid, err))
		switch kf.Reason {
		case ReasonIDTokenUnknownKey:
			kf.Reason = ReasonLogoutTokenUnknownKey
		case ReasonIDTokenBadSignature:
			kf.Reason = ReasonLogoutTokenBadSignature
		}
		return nil, nil, withProvider(kf, p)
	}
	var c logoutClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, nil, f(ReasonLogoutTokenMalformed, fmt.Errorf("claims: %w", err))
	}
	if err := p.checkLogoutClaims(&c); err != nil {
		return nil, nil, withProvider(asFailure(err), p)
	}
	// Second opinion where go-oidc can give one (it requires exp).
	if c.Expiry != nil {
		if _, err := d.verifier.VerifyLogout(oidc.ClientContext(ctx, p.client), raw); err != nil {
			return nil, nil, f(ReasonLogoutTokenInvalid, err)
		}
	}
	// The iat check refuses the token after iat+age+skew, so its jti
	// need not be remembered longer.
	first, err := h.ledger.MarkUsed(ctx, "bcl:"+p.issuer+":"+c.JTI, c.IssuedAt.Add(maxLogoutTokenAge+p.skew))
	if err != nil {
		return nil, nil, withProvider(failStatus(ReasonLedgerFailed, http.StatusInternalServerError, err), p)
	}
	if !first {
		return nil, nil, f(ReasonLogoutTokenReplayed, nil)
	}
	return p, &c, nil
}

type logoutHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// splitLogoutToken decodes the header and the (not yet verified) claims
// of a compact JWS. A JWE (five parts) is refused: we register no
// encryption key with providers.
func splitLogoutToken(raw string) (*logoutHeader, *logoutClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("compact JWS has 3 parts, got %d", len(parts))
	}
	var hdr logoutHeader
	var c logoutClaims
	for i, v := range []any{&hdr, &c} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("part %d is not base64url", i+1)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return nil, nil, fmt.Errorf("part %d is not the expected JSON", i+1)
		}
	}
	return &hdr, &c, nil
}

// logoutProvider finds the configured provider, else verifier, whose
// issuer the token names and whose client ID is in its audience. The
// first in configuration order wins (verifiers by name).
func (h *Handler) logoutProvider(c *logoutClaims) (*Provider, error) {
	cands := slices.Clone(h.order)
	for _, name := range slices.Sorted(maps.Keys(h.verifiers)) {
		cands = append(cands, h.verifiers[name])
	}
	var byIssuer *Provider
	for _, p := range cands {
		if p.issuer != c.Issuer {
			continue
		}
		if slices.Contains(c.Audience, p.clientID) {
			return p, nil
		}
		if byIssuer == nil {
			byIssuer = p
		}
	}
	if byIssuer != nil {
		return nil, withProvider(fail(ReasonLogoutTokenAudience, fmt.Errorf("aud %q lacks the client id", []string(c.Audience))), byIssuer)
	}
	return nil, fail(ReasonLogoutTokenIssuerUnknown, fmt.Errorf("iss %q", truncate(c.Issuer, 200)))
}

// checkLogoutClaims checks the verified claims (section 2.4 and 2.6).
func (p *Provider) checkLogoutClaims(c *logoutClaims) error {
	now := p.now()
	switch {
	case c.Issuer != p.issuer:
		return fail(ReasonLogoutTokenIssuerUnknown, fmt.Errorf("iss %q, want %q", truncate(c.Issuer, 200), p.issuer))
	case !slices.Contains(c.Audience, p.clientID):
		return fail(ReasonLogoutTokenAudience, errors.New("aud lacks the client id"))
	case c.IssuedAt == nil:
		return fail(ReasonLogoutTokenIATInvalid, errors.New("no iat"))
	case c.IssuedAt.After(now.Add(p.skew)):
		return fail(ReasonLogoutTokenIATInvalid, fmt.Errorf("iat is %s ahead", c.IssuedAt.Sub(now).Round(time.Second)))
	case now.Sub(c.IssuedAt.Time) > maxLogoutTokenAge+p.skew:
		return fail(ReasonLogoutTokenIATInvalid, fmt.Errorf("iat is %s old", now.Sub(c.IssuedAt.Time).Round(time.Second)))
	case c.Expiry != nil && !now.Before(c.Expiry.Add(p.skew)):
		return fail(ReasonLogoutTokenExpired, nil)
	case c.NotBefore != nil && now.Add(p.skew).Before(c.NotBefore.Time):
		return fail(ReasonLogoutTokenNotYetValid, nil)
	case c.JTI == "" || len(c.JTI) > maxJTILen:
		return fail(ReasonLogoutTokenJTIInvalid, fmt.Errorf("jti of %d bytes", len(c.JTI)))
	case len(c.Nonce) > 0:
		// Prohibited so that a logout token never passes for an ID token.
		return fail(ReasonLogoutTokenNonce, nil)
	case c.Subject == "" && c.SID == "":
		return fail(ReasonLogoutTokenSubjectMissing, nil)
	}
	var events map[string]json.RawMessage
	if len(c.Events) == 0 || json.Unmarshal(c.Events, &events) != nil || events == nil {
		return fail(ReasonLogoutTokenEventMissing, errors.New("events is not an object"))
	}
	ev, ok := events[backchannelEvent]
	if !ok {
		return fail(ReasonLogoutTokenEventMissing, nil)
	}
	var obj map[string]json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(ev), []byte("{")) || json.Unmarshal(ev, &obj) != nil {
		return fail(ReasonLogoutTokenEventInvalid, errors.New("event value is not a JSON object"))
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
