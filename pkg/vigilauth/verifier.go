package vigilauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TokenType is the JWS typ header of Vigil assertions.
const TokenType = "vigil-assertion+jwt"

// DefaultHeader is the request header the gateway puts the assertion in.
const DefaultHeader = "X-Vigil-Assertion"

// Defaults and limits for Config.
const (
	DefaultLeeway             = 30 * time.Second
	MaxLeeway                 = 5 * time.Minute
	DefaultMinRefreshInterval = 10 * time.Second
	maxTokenLen               = 32 << 10
)

// ErrInvalidToken is wrapped by every rejection of a token itself (as
// opposed to a failure to fetch the key set).
var ErrInvalidToken = errors.New("invalid vigil assertion")

// ErrKeySet is wrapped when the gateway's key set cannot be fetched.
var ErrKeySet = errors.New("vigil key set unavailable")

// Config configures a Verifier.
type Config struct {
	// JWKSURL is the gateway's key set, e.g.
	// https://gw.example.com/.well-known/vigil/jwks.json. Required.
	JWKSURL string
	// Issuer is the gateway's public URL, compared exactly with iss. Required.
	Issuer string
	// Audience is this app's name in the gateway config. Required.
	Audience string
	// HTTPClient fetches the JWKS. Default: a client with a 10s timeout.
	HTTPClient *http.Client
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Leeway tolerates clock skew on exp, nbf and iat. Default 30s, at
	// most 5m.
	Leeway time.Duration
	// Algorithms allowed in the alg header. Default ES256. "none" and
	// HMAC algorithms are refused: the JWKS is public, so an HMAC "key"
	// from it would let anyone sign.
	Algorithms []string
	// MinRefreshInterval is the least time between JWKS fetches. Default 10s.
	MinRefreshInterval time.Duration
	// Header is read by Middleware. Default X-Vigil-Assertion.
	Header string
	// Logger receives one line per rejected request in Middleware.
	// Default: discard.
	Logger *slog.Logger
}

// Claims is a verified assertion.
type Claims struct {
	Issuer     string
	Audience   []string
	Subject    string // Vigil's user ID, unique across providers
	IdP        string // name of the identity provider the user signed in with
	IdPSubject string // the provider's subject
	Email      string
	Name       string
	Groups     []string
	AMR        []string
	ACR        string
	AuthTime   time.Time // zero when absent
	SessionID  string
	IssuedAt   time.Time
	NotBefore  time.Time // zero when absent
	Expiry     time.Time
	ID         string // jti
	// Verified is the user's identity verification; nil when the user has
	// not verified (or the app's policy does not ask for it).
	Verified *Verified
}

// Verified describes how the person behind the session was proven, as the
// gateway recorded it from the verification provider.
type Verified struct {
	Level          string    `json:"level,omitempty"`           // NIST IAL, e.g. "ial2"
	TrustFramework string    `json:"trust_framework,omitempty"` // e.g. "nist_800_63A"
	VerifiedAt     time.Time `json:"verified_at,omitzero"`      // zero when unknown
	ACR            string    `json:"acr,omitempty"`             // the verifier's acr
	IdP            string    `json:"idp"`                       // configured verifier name
}

// wireVerified is Verified as the assertion carries it (NumericDate time).
type wireVerified struct {
	Level          string `json:"level"`
	TrustFramework string `json:"trust_framework"`
	VerifiedAt     int64  `json:"verified_at"`
	ACR            string `json:"acr"`
	IdP            string `json:"idp"`
}

// wireClaims is the JSON form of the claims.
type wireClaims struct {
	Issuer     string           `json:"iss"`
	Audience   jwt.Audience     `json:"aud"`
	Subject    string           `json:"sub"`
	IdP        string           `json:"idp"`
	IdPSubject string           `json:"idp_sub"`
	Email      string           `json:"email"`
	Name       string           `json:"name"`
	Groups     []string         `json:"groups"`
	AMR        []string         `json:"amr"`
	ACR        string           `json:"acr"`
	AuthTime   *jwt.NumericDate `json:"auth_time"`
	SessionID  string           `json:"sid"`
	IssuedAt   *jwt.NumericDate `json:"iat"`
	NotBefore  *jwt.NumericDate `json:"nbf"`
	Expiry     *jwt.NumericDate `json:"exp"`
	ID         string           `json:"jti"`
	Verified   *wireVerified    `json:"verified"`
}

// Verifier checks assertions. It is safe for concurrent use.
type Verifier struct {
	cfg  Config
	algs []jose.SignatureAlgorithm
	keys *keySet
}

// NewVerifier checks cfg and returns a Verifier. It does no I/O: the key
// set is fetched on first use, so an app can start before the gateway.
// ctx is not retained.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	_ = ctx
	u, err := url.Parse(cfg.JWKSURL)
	if cfg.JWKSURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("vigilauth: JWKSURL must be an absolute http(s) URL, got %q", cfg.JWKSURL)
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("vigilauth: Issuer and Audience are required")
	}
	if cfg.Leeway < 0 || cfg.Leeway > MaxLeeway {
		return nil, fmt.Errorf("vigilauth: Leeway must be between 0 and %s", MaxLeeway)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{string(jose.ES256)}
	}
	v := &Verifier{cfg: cfg}
	for _, a := range cfg.Algorithms {
		switch alg := jose.SignatureAlgorithm(a); alg {
		case jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.RS384, jose.RS512,
			jose.PS256, jose.PS384, jose.PS512, jose.EdDSA:
			v.algs = append(v.algs, alg)
		default:
			return nil, fmt.Errorf("vigilauth: algorithm %q is not allowed", a)
		}
	}
	if v.cfg.HTTPClient == nil {
		v.cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if v.cfg.Clock == nil {
		v.cfg.Clock = time.Now
	}
	if v.cfg.MinRefreshInterval <= 0 {
		v.cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if v.cfg.Header == "" {
		v.cfg.Header = DefaultHeader
	}
	if v.cfg.Logger == nil {
		v.cfg.Logger = slog.New(slog.DiscardHandler)
	}
	v.keys = &keySet{
		url: cfg.JWKSURL, client: v.cfg.HTTPClient, now: v.cfg.Clock,
		minInterval: v.cfg.MinRefreshInterval, fetchTimeout: keySetFetchTimeout, algs: v.algs,
	}
	return v, nil
}

// short bounds attacker-chosen text in error messages.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

// Verify checks token and returns its claims.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, invalid("empty or oversized token")
	}
	jws, err := jose.ParseSignedCompact(token, v.algs)
	if err != nil {
		return nil, invalid("malformed: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("want exactly one signature")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !isAssertionType(typ) {
		return nil, invalid("typ %q is not %s", short(typ), TokenType)
	}
	if h.KeyID == "" {
		return nil, invalid("no kid")
	}
	if h.JSONWebKey != nil {
		// Keys come from the gateway's JWKS only, never from the token.
		return nil, invalid("embedded jwk header")
	}
	key, err := v.keys.key(ctx, h.KeyID)
	if err != nil {
		return nil, err
	}
	if key.Algorithm != "" && key.Algorithm != h.Algorithm {
		return nil, invalid("alg %q does not match key %s", short(h.Algorithm), key.Algorithm)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, invalid("bad signature")
	}
	var w wireClaims
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, invalid("claims: %v", err)
	}
	return v.check(&w)
}

// isAssertionType compares typ as a media type: case-insensitive, with
// the "application/" prefix optional (RFC 7515 section 4.1.9).
func isAssertionType(typ string) bool {
	typ = strings.ToLower(typ)
	return typ == TokenType || typ == "application/"+TokenType
}

func (v *Verifier) check(w *wireClaims) (*Claims, error) {
	if w.Issuer != v.cfg.Issuer {
		return nil, invalid("issuer %q is not %q", short(w.Issuer), v.cfg.Issuer)
	}
	if !slices.Contains(w.Audience, v.cfg.Audience) {
		return nil, invalid("audience does not include %q", v.cfg.Audience)
	}
	if w.Subject == "" {
		return nil, invalid("no sub")
	}
	if w.Expiry == nil || w.IssuedAt == nil {
		return nil, invalid("exp and iat are required")
	}
	now, lw := v.cfg.Clock(), v.cfg.Leeway
	if !now.Before(w.Expiry.Time().Add(lw)) {
		return nil, invalid("expired at %s", w.Expiry.Time().UTC().Format(time.RFC3339))
	}
	if w.NotBefore != nil && now.Add(lw).Before(w.NotBefore.Time()) {
		return nil, invalid("not valid before %s", w.NotBefore.Time().UTC().Format(time.RFC3339))
	}
	if now.Add(lw).Before(w.IssuedAt.Time()) {
		return nil, invalid("issued in the future")
	}
	c := &Claims{
		Issuer: w.Issuer, Audience: w.Audience, Subject: w.Subject, IdP: w.IdP, IdPSubject: w.IdPSubject,
		Email: w.Email, Name: w.Name, Groups: w.Groups, AMR: w.AMR, ACR: w.ACR,
		SessionID: w.SessionID, IssuedAt: w.IssuedAt.Time(), Expiry: w.Expiry.Time(), ID: w.ID,
	}
	if w.AuthTime != nil {
		c.AuthTime = w.AuthTime.Time()
	}
	if w.NotBefore != nil {
		c.NotBefore = w.NotBefore.Time()
	}
	if w.Verified != nil {
		wv := w.Verified
		vf := Verified{Level: wv.Level, TrustFramework: wv.TrustFramework, ACR: wv.ACR, IdP: wv.IdP}
		if wv.VerifiedAt > 0 {
			vf.VerifiedAt = time.Unix(w.Verified.VerifiedAt, 0).UTC()
		}
		c.Verified = &vf
	}
	return c, nil
}
