package oidcop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

func TestDiscoveryExtras(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.DiscoveryExtras = map[string]any{
			"claims_parameter_supported": true,
			"acr_values_supported":       []string{"urn:a", "urn:b"},
			"trust_frameworks_supported": []string{"nist_800_63A"},
			"evidence_supported":         []string{"document"},
		}
	})
	resp, err := http.Get(e.issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	checks := map[string]bool{
		"claims_parameter_supported": d["claims_parameter_supported"] == true,
		"acr_values_supported":       slices.Equal(toStrings(d["acr_values_supported"]), []string{"urn:a", "urn:b"}),
		"trust_frameworks_supported": slices.Equal(toStrings(d["trust_frameworks_supported"]), []string{"nist_800_63A"}),
		"evidence_supported":         slices.Equal(toStrings(d["evidence_supported"]), []string{"document"}),
		"issuer":                     d["issuer"] == e.issuer(),
		"jwks_uri":                   d["jwks_uri"] == e.issuer()+"/keys",
		"ES256":                      slices.Equal(toStrings(d["id_token_signing_alg_values_supported"]), []string{"ES256"}),
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("discovery %s wrong: %v", name, d)
		}
	}
	// The go-oidc client still accepts the document.
	e.login(nil)
}

func TestNewRejects(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	for _, k := range []crypto.Signer{small, p384} {
		if _, err := NewSigningKey(k); err == nil {
			t.Errorf("%T accepted", k)
		}
	}
	good := func() Config {
		ring, _ := NewKeyRing(testKey())
		return Config{
			Issuer:  "http://localhost:9001",
			Clients: []Client{{ID: "app", RedirectURIs: []string{"http://localhost:8080/cb"}}},
			Keys:    ring, Authenticator: &testAuth{}, Claims: &testClaims{},
		}
	}
	tests := []struct {
		name  string
		tweak func(*Config)
		want  string
	}{
		{"good", func(*Config) {}, ""},
		{"loopback ip", func(c *Config) { c.Issuer = "http://127.0.0.1:9001" }, ""},
		{"ipv6 loopback", func(c *Config) { c.Issuer = "http://[::1]:9001" }, ""},
		{"https with path", func(c *Config) { c.Issuer = "https://id.example/verify" }, ""},
		{"http remote", func(c *Config) { c.Issuer = "http://id.example" }, "only allowed for localhost"},
		{"http lookalike", func(c *Config) { c.Issuer = "http://localhost.evil.example" }, "only allowed for localhost"},
		{"ftp", func(c *Config) { c.Issuer = "ftp://localhost" }, "must use https"},
		{"trailing slash", func(c *Config) { c.Issuer = "https://id.example/" }, "slash"},
		{"fragment", func(c *Config) { c.Issuer = "https://id.example#x" }, "fragment"},
		{"missing parts", func(c *Config) { c.Keys, c.Authenticator, c.Claims, c.Clients = nil, nil, nil, nil }, "keys|authenticator|claims source|at least one client"},
		{"client problems", func(c *Config) {
			c.Clients = append(c.Clients, Client{ID: "app", RedirectURIs: []string{"javascript:alert(1)"}}, Client{ID: "a:b"})
		}, `duplicate id|"javascript:alert(1)"|must not contain ':'|at least one redirect URI`},
		{"extras override issuer", func(c *Config) { c.DiscoveryExtras = map[string]any{"issuer": "https://evil.example"} }, `"issuer" is set by the provider`},
		{"extras not JSON", func(c *Config) { c.DiscoveryExtras = map[string]any{"x": func() {}} }, "discovery extras"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.tweak(&cfg)
			_, err := New(cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, part := range strings.Split(tt.want, "|") {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
		})
	}
}

func TestClientSecretNotKept(t *testing.T) {
	c := newClient(Client{ID: "c", Secret: "client-secret-value", RedirectURIs: []string{"https://a/cb"}}, nil, 0, nil)
	if c.cfg.Secret != "" || !c.secretMatches("client-secret-value") || c.secretMatches("client-secret-valu") || c.secretMatches("") {
		t.Error("client secret kept or compared wrongly")
	}
	if pub := newClient(Client{ID: "p"}, nil, 0, nil); pub.secretMatches("") {
		t.Error("public client matched an empty secret")
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	_, before := e.login(nil)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	next, err := NewSigningKey(rk)
	if err != nil {
		t.Fatal(err)
	}
	e.keys.Publish(next)
	if kids := e.jwksKIDs(); !slices.Equal(kids, []string{testKey().ID(), next.ID()}) {
		t.Fatalf("after publish: %v", kids)
	}
	e.keys.Rotate(next)
	claims, _ := e.login(nil) // verified against the JWKS by go-oidc
	if claims["sub"] != "user-1" {
		t.Fatal(claims)
	}
	if kids := e.jwksKIDs(); !slices.Equal(kids, []string{next.ID(), testKey().ID()}) {
		t.Fatalf("after rotate: %v", kids)
	}
	// A token signed by the old key still works as id_token_hint.
	e.login(map[string]string{"id_token_hint": before.IDToken})
	if h := e.auth.last(t).IDTokenHint; h == nil || h.Subject != "user-1" {
		t.Fatalf("hint = %+v", h)
	}
	if err := e.keys.Retire(next.ID()); err == nil {
		t.Fatal("retired the current key")
	}
	if err := e.keys.Retire(testKey().ID()); err != nil {
		t.Fatal(err)
	}
	if kids := e.jwksKIDs(); !slices.Equal(kids, []string{next.ID()}) {
		t.Fatalf("after retire: %v", kids)
	}
}

func (e *env) jwksKIDs() []string {
	e.t.Helper()
	resp, err := http.Get(e.issuer() + "/keys")
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			D   string `json:"d"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		if k.D != "" {
			e.t.Fatal("private key material in JWKS")
		}
		out = append(out, k.KID)
	}
	return out
}

func TestEndSessionRevokes(t *testing.T) {
	e := newEnv(t)
	_, tok := e.login(nil)
	resp, err := codeflow.NoRedirect(codeflow.Browser(t)).Get(e.issuer() + "/end_session?id_token_hint=" + tok.IDToken + "&post_logout_redirect_uri=" + e.rp.URL + "/bye")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != e.rp.URL+"/bye" {
		t.Fatalf("%d %s", resp.StatusCode, loc)
	}
	if status, _ := e.userinfo(tok.AccessToken); status == http.StatusOK {
		t.Fatal("access token still valid after end_session")
	}
	resp, err = codeflow.NoRedirect(codeflow.Browser(t)).Get(e.issuer() + "/end_session?post_logout_redirect_uri=" + e.rp.URL + "/bye")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unanchored post_logout_redirect_uri: %d", resp.StatusCode)
	}
}
