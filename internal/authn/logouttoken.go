package authn

// Logout token validation (OpenID Connect Back-Channel Logout 1.0, 2.6).

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
)

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
