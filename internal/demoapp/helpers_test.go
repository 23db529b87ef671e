package demoapp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

const (
	gwIssuer = "https://gw.example.test"
	audience = "demo"
)

// gateway stands in for Vigil's signing side: a real ES256 key published
// in a JWKS over HTTP, and a signer for assertions.
type gateway struct {
	key  *ecdsa.PrivateKey
	kid  string
	jwks *httptest.Server
}

func newGateway(t testing.TB) *gateway {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{key: k, kid: "test-key"}
	g.jwks = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: g.kid, Algorithm: "ES256", Use: "sig"}}}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(g.jwks.Close)
	return g
}

// assertion is the claims set the test signs.
type assertion struct {
	Issuer   string           `json:"iss"`
	Audience jwt.Audience     `json:"aud"`
	Subject  string           `json:"sub"`
	IdP      string           `json:"idp,omitempty"`
	Email    string           `json:"email,omitempty"`
	Name     string           `json:"name,omitempty"`
	Groups   []string         `json:"groups,omitempty"`
	AMR      []string         `json:"amr,omitempty"`
	ACR      string           `json:"acr,omitempty"`
	AuthTime *jwt.NumericDate `json:"auth_time,omitempty"`
	SID      string           `json:"sid,omitempty"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Expiry   *jwt.NumericDate `json:"exp"`
}

func validAssertion() assertion {
	now := time.Now()
	return assertion{
		Issuer: gwIssuer, Audience: jwt.Audience{audience}, Subject: "u-alice", IdP: "demo",
		Email: "alice@example.com", Name: "Alice Anders", Groups: []string{"engineering", "admins"},
		AMR: []string{"pwd"}, ACR: "urn:vigil:demo:pwd", AuthTime: jwt.NewNumericDate(now.Add(-time.Minute)),
		SID: "sess-1", IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute)),
	}
}

func (g *gateway) sign(t testing.TB, a assertion) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType(vigilauth.TokenType).WithHeader(jose.HeaderKey("kid"), g.kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: g.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(a).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// newApp serves the app over HTTP with a real vigilauth verifier.
func newApp(t testing.TB, g *gateway, tweak func(*Config)) *httptest.Server {
	t.Helper()
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: g.jwks.URL, Issuer: gwIssuer, Audience: audience,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Verifier: v}
	if tweak != nil {
		tweak(&cfg)
	}
	app, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}
