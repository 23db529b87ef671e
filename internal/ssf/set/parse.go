package set

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// DefaultLeeway is how far in the future iat may be, for clock skew.
const DefaultLeeway = 2 * time.Minute

// Validation says which SETs Parse accepts: those of one issuer, for one
// audience, signed by one of its keys.
type Validation struct {
	Issuer     string                    // required; exact match with iss
	Audience   string                    // required; must be one of aud
	Algorithms []jose.SignatureAlgorithm // allow-list; default DefaultAlgorithms; never none or HS*
	Keys       KeySource
	Now        func() time.Time // default time.Now
	Leeway     time.Duration    // iat may be this far in the future; default DefaultLeeway
	MaxAge     time.Duration    // iat older than this is refused; 0 = no limit
}

// header is the part of the JOSE header read before verification.
type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// Peek returns the iss claim of raw without verifying anything, so that a
// receiver can choose which issuer's Validation to apply. Never act on it.
func Peek(raw string) (issuer string, err error) {
	parts := strings.Split(raw, ".")
	if len(raw) > MaxSize || len(parts) != 3 {
		return "", fail(CodeInvalidRequest, "not a compact JWS")
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fail(CodeInvalidRequest, "payload is not base64url")
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(body, &c); err != nil || c.Iss == "" {
		return "", fail(CodeInvalidRequest, "payload has no iss")
	}
	return c.Iss, nil
}

// Parse verifies and decodes a SET. Every error is an *Error with the RFC
// 8935 code to report: invalid_request for a token that is not a well
// formed SET, invalid_key when no trusted key verifies it, invalid_issuer
// and invalid_audience for the wrong iss or aud.
func Parse(ctx context.Context, raw string, v Validation) (*SET, error) {
	algs, err := v.algorithms()
	if err != nil {
		return nil, err
	}
	if v.Issuer == "" || v.Audience == "" || v.Keys == nil {
		return nil, &Error{Code: CodeInvalidKey, Description: "receiver not configured for this issuer",
			Err: errors.New("validation needs an issuer, an audience and keys")}
	}
	if len(raw) > MaxSize {
		return nil, fail(CodeInvalidRequest, "SET too large")
	}
	h, err := readHeader(raw)
	if err != nil {
		return nil, err
	}
	if h.Alg == "none" || h.Alg == "" {
		return nil, fail(CodeInvalidRequest, "SET is not signed")
	}
	if !isSETType(h.Typ) {
		return nil, fail(CodeInvalidRequest, `header typ must be "secevent+jwt"`)
	}
	if !slices.Contains(algs, jose.SignatureAlgorithm(h.Alg)) {
		return nil, fail(CodeInvalidKey, "signature algorithm not accepted")
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Description: "malformed JWS", Err: err}
	}
	body, err := verify(ctx, jws, h, v.Keys)
	if err != nil {
		return nil, err
	}
	return decodeClaims(body, v)
}

func (v *Validation) algorithms() ([]jose.SignatureAlgorithm, error) {
	if len(v.Algorithms) == 0 {
		return DefaultAlgorithms, nil
	}
	for _, a := range v.Algorithms {
		if !slices.Contains(asymmetric, a) {
			return nil, &Error{Code: CodeInvalidKey, Description: "receiver not configured for this issuer",
				Err: fmt.Errorf("algorithm %q is not an asymmetric signature algorithm", a)}
		}
	}
	return v.Algorithms, nil
}

func readHeader(raw string) (*header, error) {
	dot := strings.IndexByte(raw, '.')
	if dot < 0 || strings.Count(raw, ".") != 2 {
		return nil, fail(CodeInvalidRequest, "not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(raw[:dot])
	if err != nil {
		return nil, fail(CodeInvalidRequest, "header is not base64url")
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fail(CodeInvalidRequest, "header is not a JSON object")
	}
	return &h, nil
}

// isSETType accepts "secevent+jwt" with or without the "application/"
// prefix, case-insensitively (RFC 7515 section 4.1.9).
func isSETType(typ string) bool {
	typ = strings.ToLower(typ)
	return strings.TrimPrefix(typ, "application/") == TokenType
}

// verify finds the key for the token's kid (refreshing the key set once if
// the kid is unknown) and checks the signature with it. Without a kid every
// signing key is tried.
func verify(ctx context.Context, jws *jose.JSONWebSignature, h *header, keys KeySource) ([]byte, error) {
	if len(jws.Signatures) != 1 {
		return nil, fail(CodeInvalidRequest, "SET must carry exactly one signature")
	}
	candidates, err := candidateKeys(ctx, keys, h.Kid, false)
	if err != nil {
		return nil, err
	}
	if len(candidates) == 0 && h.Kid != "" {
		if candidates, err = candidateKeys(ctx, keys, h.Kid, true); err != nil {
			return nil, err
		}
	}
	if len(candidates) == 0 {
		return nil, fail(CodeInvalidKey, "no trusted key has this key ID")
	}
	for _, k := range candidates {
		if k.Algorithm != "" && k.Algorithm != h.Alg {
			continue
		}
		if body, err := jws.Verify(k.Key); err == nil {
			return body, nil
		}
	}
	return nil, fail(CodeInvalidKey, "signature not verified by a trusted key")
}

func candidateKeys(ctx context.Context, src KeySource, kid string, refresh bool) ([]jose.JSONWebKey, error) {
	ks, err := src.KeySet(ctx, refresh)
	if err != nil {
		return nil, &Error{Code: CodeInvalidKey, Description: "issuer keys unavailable", Err: errors.Join(ErrKeysUnavailable, err)}
	}
	if kid == "" {
		return ks.Keys, nil
	}
	return ks.Key(kid), nil
}

// decodeClaims checks the verified claims set against v and RFC 8417.
func decodeClaims(body []byte, v Validation) (*SET, error) {
	if err := noDuplicateMembers(body); err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Description: "claims are not a valid JSON object", Err: err}
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(body, &all); err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Description: "claims are not a JSON object", Err: err}
	}
	// RFC 8417 section 2.2 and SSF: a SET is not an access or ID token.
	for _, banned := range []string{"sub", "exp"} {
		if _, ok := all[banned]; ok {
			return nil, fail(CodeInvalidRequest, "SET must not contain "+banned)
		}
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Description: "claims have wrong types", Err: err}
	}
	if c.Iss != v.Issuer {
		return nil, fail(CodeInvalidIssuer, "iss is not the expected issuer")
	}
	if !slices.Contains(c.Aud, v.Audience) {
		return nil, fail(CodeInvalidAudience, "aud does not name this receiver")
	}
	t := &SET{Issuer: c.Iss, ID: c.Jti, Audience: c.Aud, Txn: c.Txn, Subject: c.SubID}
	if err := checkTimes(&c, v, all); err != nil {
		return nil, err
	}
	t.IssuedAt = time.Unix(int64(c.Iat), 0)
	if c.Jti == "" || len(c.Jti) > maxIDLen {
		return nil, fail(CodeInvalidRequest, "jti missing or too long")
	}
	if len(c.Aud) > maxAudience {
		return nil, fail(CodeInvalidRequest, "too many audiences")
	}
	if len(c.Events) != 1 {
		return nil, fail(CodeInvalidRequest, "SET must carry exactly one event")
	}
	for typ, obj := range c.Events {
		t.Event, t.Payload = typ, obj
	}
	if err := t.readPayload(); err != nil {
		return nil, err
	}
	if t.Subject != nil {
		if err := t.Subject.Validate(); err != nil {
			return nil, &Error{Code: CodeInvalidRequest, Description: "invalid sub_id", Err: err}
		}
	}
	return t, nil
}

func checkTimes(c *claims, v Validation, all map[string]json.RawMessage) error {
	if _, ok := all["iat"]; !ok {
		return fail(CodeInvalidRequest, "iat missing")
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	leeway := v.Leeway
	if leeway <= 0 {
		leeway = DefaultLeeway
	}
	iat := time.Unix(int64(c.Iat), 0)
	switch t := now(); {
	case iat.After(t.Add(leeway)):
		return fail(CodeInvalidRequest, "iat is in the future")
	case v.MaxAge > 0 && iat.Before(t.Add(-v.MaxAge)):
		return fail(CodeInvalidRequest, "SET is too old")
	}
	return nil
}

// readPayload checks that the event is a JSON object and moves a legacy
// subject member (CAEP drafts put it inside the event) to Subject.
func (t *SET) readPayload() error {
	if t.Event == "" {
		return fail(CodeInvalidRequest, "empty event type")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(t.Payload, &obj); err != nil || obj == nil {
		return fail(CodeInvalidRequest, "event payload must be a JSON object")
	}
	legacy, ok := obj["subject"]
	if !ok || t.Subject != nil {
		return nil
	}
	var s Subject
	if err := json.Unmarshal(legacy, &s); err != nil {
		return &Error{Code: CodeInvalidRequest, Description: "invalid event subject", Err: err}
	}
	delete(obj, "subject")
	b, err := json.Marshal(obj)
	if err != nil {
		return &Error{Code: CodeInvalidRequest, Description: "invalid event payload", Err: err}
	}
	t.Subject, t.Payload = &s, b
	return nil
}
