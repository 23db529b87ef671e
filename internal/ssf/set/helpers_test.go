package set

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	testIssuer   = "https://idp.example.com"
	testAudience = "https://vigil.example.com/ssf"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newSigner(t testing.TB, k crypto.Signer, kid string, alg jose.SignatureAlgorithm) *Signer {
	t.Helper()
	s, err := NewSigner(k, kid, alg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jwks(keys map[string]crypto.Signer) *jose.JSONWebKeySet {
	ks := &jose.JSONWebKeySet{}
	for kid, k := range keys {
		ks.Keys = append(ks.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: kid, Use: "sig"})
	}
	return ks
}

func validSET() *SET {
	sub := EmailSubject("alice@Example.com")
	return &SET{
		Issuer: testIssuer, ID: "jti-1", IssuedAt: testNow.Add(-time.Minute),
		Audience: []string{testAudience}, Subject: &sub,
		Event: CAEPSessionRevoked, Payload: json.RawMessage(`{"event_timestamp":1700000000}`),
	}
}

func validation(ks KeySource) Validation {
	return Validation{Issuer: testIssuer, Audience: testAudience, Keys: ks, Now: func() time.Time { return testNow }}
}

// rawJWT assembles a compact JWS from a header and claims, signing with
// sign (nil leaves the signature empty).
func rawJWT(t testing.TB, hdr map[string]any, claims any, sign func([]byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(hdr)
	if err != nil {
		t.Fatal(err)
	}
	var c []byte
	if b, ok := claims.([]byte); ok {
		c = b
	} else if c, err = json.Marshal(claims); err != nil {
		t.Fatal(err)
	}
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(in))
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// signClaims signs arbitrary claims bytes with a real key and the SET typ,
// so tests can reach the checks behind the signature.
func signClaims(t testing.TB, k crypto.Signer, kid string, claims []byte) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(TokenType))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustParseErr(t *testing.T, err error) *Error {
	t.Helper()
	se, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	return se
}

var _ = context.Background
