package assertion

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// tokenType is the JWS typ header of every assertion (RFC 8725 explicit
// typing): verifiers reject other JWTs from the same keys by it.
const tokenType = "vigil-assertion+jwt"

// claims is the assertion payload. sub is the Vigil user ID (unique across
// providers, as OIDC wants sub unique per issuer); idp_sub is the provider's
// own subject.
type claims struct {
	Issuer     string   `json:"iss"`
	Audience   string   `json:"aud"`
	Subject    string   `json:"sub"`
	IdP        string   `json:"idp"`
	IdPSubject string   `json:"idp_sub,omitempty"`
	Email      string   `json:"email,omitempty"`
	Name       string   `json:"name,omitempty"`
	Groups     []string `json:"groups,omitempty"`
	AMR        []string `json:"amr,omitempty"`
	ACR        string   `json:"acr,omitempty"`
	AuthTime   int64    `json:"auth_time,omitempty"`
	// Verified is the user's identity verification, absent until they
	// have verified at the app's verifier.
	Verified  *verified `json:"verified,omitempty"`
	SessionID string    `json:"sid"`
	IssuedAt  int64     `json:"iat"`
	NotBefore int64     `json:"nbf"`
	Expiry    int64     `json:"exp"`
	ID        string    `json:"jti"`
}

// verified summarises identity.Verification for upstreams; idp is the
// configured verifier name.
type verified struct {
	Level          string `json:"level,omitempty"`
	TrustFramework string `json:"trust_framework,omitempty"`
	VerifiedAt     int64  `json:"verified_at,omitempty"`
	ACR            string `json:"acr,omitempty"`
	IdP            string `json:"idp"`
}

// reuseMargin is the least lifetime a cached assertion must have left to be
// handed out again: a quarter of the TTL, but at least a minute (or half
// the TTL when that is shorter), so the upstream has time to verify it.
func reuseMargin(ttl time.Duration) time.Duration {
	return max(ttl/4, min(time.Minute, ttl/2))
}

// Mint returns a signed assertion of session s for app, valid from now for
// the TTL (never beyond the session's own expiry). A recent assertion for
// the same session and app is reused while it has reuseMargin left, it was
// signed by the key that signs now, and the session's authentication (user,
// auth_time, acr) has not changed since; call Forget when a session ends.
func (s *Signer) Mint(sess *store.Session, app string, now time.Time) (string, error) {
	if sess == nil || sess.ID == "" || sess.UserID == "" {
		return "", errors.New("assertion: session without ID or user")
	}
	if app == "" {
		return "", errors.New("assertion: empty app name")
	}
	if !sess.ExpiresAt.IsZero() && !now.Before(sess.ExpiresAt) {
		return "", errors.New("assertion: session has expired")
	}
	st := s.state.Load()
	k := st.current
	if k == nil || !now.Before(k.retire) {
		// Run is not keeping keys fresh: refuse rather than sign with a key
		// that may be unpublished before the assertion expires.
		return "", errors.New("assertion: no current signing key")
	}
	if c := s.cache.get(sess.ID, app); c != nil && c.kid == k.id &&
		now.Add(reuseMargin(s.cfg.TTL)).Before(c.exp) && !now.Before(c.iat) && c.matches(sess) {
		return c.token, nil
	}
	exp := now.Add(s.cfg.TTL)
	if !sess.ExpiresAt.IsZero() && sess.ExpiresAt.Before(exp) {
		exp = sess.ExpiresAt
	}
	jti, err := randomID(s.cfg.Rand)
	if err != nil {
		return "", err
	}
	id := &sess.Identity
	c := claims{
		Issuer: s.cfg.Issuer, Audience: app, Subject: sess.UserID,
		IdP: sess.Provider, IdPSubject: id.Subject,
		Email: id.Email, Name: id.Name, Groups: id.Groups, AMR: id.AMR, ACR: id.ACR,
		SessionID: sess.ID, IssuedAt: now.Unix(), NotBefore: now.Unix(), Expiry: exp.Unix(), ID: jti,
	}
	if !id.AuthTime.IsZero() {
		c.AuthTime = id.AuthTime.Unix()
	}
	if v := id.Verification; v != nil {
		c.Verified = &verified{Level: v.Level, TrustFramework: v.TrustFramework, ACR: v.ACR, IdP: v.Provider}
		if !v.VerifiedAt.IsZero() {
			c.Verified.VerifiedAt = v.VerifiedAt.Unix()
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("assertion: encoding claims: %w", err)
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("assertion: signing: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("assertion: serialising: %w", err)
	}
	s.cache.put(sess.ID, &cachedToken{
		app: app, token: tok, kid: k.id, iat: now, exp: exp,
		userID: sess.UserID, acr: id.ACR, authTime: id.AuthTime, verification: id.Verification,
	}, now)
	return tok, nil
}

// Forget drops the cached assertions of a session (on logout, revocation or
// any change to its identity).
func (s *Signer) Forget(sessionID string) { s.cache.forget(sessionID) }

func randomID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("assertion: jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
