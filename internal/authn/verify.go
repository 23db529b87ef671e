package authn

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

// maxIDTokenAge refuses ID tokens minted long ago: the token comes straight
// from the token endpoint, so an old iat means a replayed or cached token.
const maxIDTokenAge = time.Hour

// maxIDTokenLen refuses absurd tokens before any parsing.
const maxIDTokenLen = 64 << 10

// idClaims are the claims the verifier checks itself. Pointers tell a
// missing claim from an empty one.
type idClaims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  audience     `json:"aud"`
	AZP       *string      `json:"azp"`
	Expiry    *numericDate `json:"exp"`
	IssuedAt  *numericDate `json:"iat"`
	NotBefore *numericDate `json:"nbf"`
	Nonce     *string      `json:"nonce"`
	AtHash    string       `json:"at_hash"`
}

// audience is "aud": a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return errors.New("aud is neither a string nor an array of strings")
	}
	*a = l
	return nil
}

// numericDate is a JWT NumericDate (seconds, possibly fractional).
type numericDate struct{ time.Time }

func (n *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return errors.New("not a NumericDate")
	}
	sec, frac := math.Modf(f)
	n.Time = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// verifiedToken is an ID token that passed every check.
type verifiedToken struct {
	claims    idClaims
	rawClaims []byte
	token     *oidc.IDToken
}

// verifyIDToken checks raw in layers so that each attack gets its own
// reason: header (alg), signature (kid via the JWKS, refreshed on a miss),
// then each claim, then go-oidc's own Verify as a second opinion.
func (p *Provider) verifyIDToken(ctx context.Context, d *discovered, raw, nonce, accessToken string) (*verifiedToken, error) {
	if len(raw) > maxIDTokenLen {
		return nil, fail(ReasonIDTokenMalformed, errors.New("id token too long"))
	}
	hdr, err := parseHeader(raw)
	if err != nil {
		return nil, fail(ReasonIDTokenMalformed, err)
	}
	if !slices.Contains(p.algs, hdr.Alg) {
		return nil, fail(ReasonIDTokenAlgNotAllowed, fmt.Errorf("alg %q not in allow-list", hdr.Alg))
	}
	algs := make([]jose.SignatureAlgorithm, len(p.algs))
	for i, a := range p.algs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSigned(raw, algs)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, fail(ReasonIDTokenMalformed, errors.New("not a single-signature compact JWS"))
	}
	// The alg is checked above; RemoteKeySet finds the key by kid and
	// refetches the JWKS when it has none that verifies.
	payload, err := d.keys.VerifySignature(oidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		return nil, p.classifyKeyFailure(ctx, d, hdr.Kid, err)
	}
	var c idClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fail(ReasonIDTokenMalformed, fmt.Errorf("claims: %w", err))
	}
	if err := p.checkClaims(&c, nonce); err != nil {
		return nil, err
	}
	// Second opinion: go-oidc's checks must agree with ours.
	tok, err := d.verifier.Verify(oidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		var exp *oidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, fail(ReasonIDTokenExpired, err)
		}
		return nil, fail(ReasonIDTokenInvalid, err)
	}
	if c.AtHash != "" && accessToken != "" {
		if err := tok.VerifyAccessToken(accessToken); err != nil {
			return nil, fail(ReasonIDTokenAtHashMismatch, errors.New("at_hash does not match the access token"))
		}
	}
	return &verifiedToken{claims: c, rawClaims: payload, token: tok}, nil
}

type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// parseHeader reads the protected header of a compact JWS without
// trusting anything in it beyond what is needed to refuse it early.
func parseHeader(raw string) (*jwsHeader, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("compact JWS has 3 parts, got %d", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("header is not base64url")
	}
	var h jwsHeader
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, errors.New("header is not JSON")
	}
	return &h, nil
}

// checkClaims applies OIDC Core 3.1.3.7 to verified claims.
func (p *Provider) checkClaims(c *idClaims, nonce string) error {
	now := p.now()
	if c.Issuer != p.issuer {
		return fail(ReasonIDTokenIssuerMismatch, fmt.Errorf("iss %q, want %q", c.Issuer, p.issuer))
	}
	if !slices.Contains(c.Audience, p.clientID) {
		return fail(ReasonIDTokenAudienceMismatch, fmt.Errorf("aud %q lacks the client id", []string(c.Audience)))
	}
	switch {
	case c.AZP != nil && *c.AZP != p.clientID:
		return fail(ReasonIDTokenAZPMismatch, fmt.Errorf("azp %q is not the client id", *c.AZP))
	case c.AZP == nil && len(c.Audience) > 1:
		return fail(ReasonIDTokenAZPMissing, errors.New("several audiences and no azp"))
	}
	if c.Subject == "" {
		return fail(ReasonIDTokenSubMissing, nil)
	}
	if c.Expiry == nil || !now.Before(c.Expiry.Add(p.skew)) {
		return fail(ReasonIDTokenExpired, nil)
	}
	if c.NotBefore != nil && now.Add(p.skew).Before(c.NotBefore.Time) {
		return fail(ReasonIDTokenNotYetValid, nil)
	}
	switch {
	case c.IssuedAt == nil:
		return fail(ReasonIDTokenIATMissing, nil)
	case c.IssuedAt.After(now.Add(p.skew)):
		return fail(ReasonIDTokenIssuedInFuture, fmt.Errorf("iat is %s ahead", c.IssuedAt.Sub(now).Round(time.Second)))
	case now.Sub(c.IssuedAt.Time) > maxIDTokenAge+p.skew:
		return fail(ReasonIDTokenTooOld, fmt.Errorf("iat is %s old", now.Sub(c.IssuedAt.Time).Round(time.Second)))
	}
	if c.Nonce == nil || *c.Nonce == "" {
		return fail(ReasonNonceMissing, nil)
	}
	if subtle.ConstantTimeCompare([]byte(*c.Nonce), []byte(nonce)) != 1 {
		return fail(ReasonNonceMismatch, nil)
	}
	return nil
}

// classifyKeyFailure tells an unknown kid from a bad signature. go-oidc's
// RemoteKeySet has already refetched the JWKS; one more fetch shows
// whether the kid is published at all (this runs on failures only).
func (p *Provider) classifyKeyFailure(ctx context.Context, d *discovered, kid string, verr error) error {
	set, err := p.fetchJWKS(ctx, d.jwksURL)
	if err != nil {
		return failStatus(ReasonJWKSUnreachable, http.StatusBadGateway, err)
	}
	if kid == "" && len(set.Keys) == 0 || kid != "" && len(set.Key(kid)) == 0 {
		return fail(ReasonIDTokenUnknownKey, fmt.Errorf("kid %q not in the provider's JWKS", kid))
	}
	return fail(ReasonIDTokenBadSignature, verr)
}

func (p *Provider) fetchJWKS(ctx context.Context, jwksURL string) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading JWKS: %w", err)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	// Keys go-jose cannot read are skipped, as go-oidc does.
	set := &jose.JSONWebKeySet{}
	for _, k := range raw.Keys {
		var jwk jose.JSONWebKey
		if json.Unmarshal(k, &jwk) == nil {
			set.Keys = append(set.Keys, jwk)
		}
	}
	return set, nil
}
