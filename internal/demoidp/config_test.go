package demoidp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

func TestNewRejects(t *testing.T) {
	good := func() Config {
		return Config{
			Issuer:     "http://localhost:9001",
			Users:      DefaultUsers(),
			Clients:    []Client{{ID: "app", RedirectURIs: []string{"http://localhost:8080/cb"}}},
			SigningKey: testKey(),
		}
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	tests := []struct {
		name  string
		tweak func(*Config)
		want  string // substrings of the error, "" for success
	}{
		{"good", func(*Config) {}, ""},
		{"loopback ip", func(c *Config) { c.Issuer = "http://127.0.0.1:9001" }, ""},
		{"ipv6 loopback", func(c *Config) { c.Issuer = "http://[::1]:9001" }, ""},
		{"https anywhere", func(c *Config) { c.Issuer = "https://idp.example/demo" }, ""},
		{"http remote host", func(c *Config) { c.Issuer = "http://idp.example" }, "only allowed for localhost"},
		{"http localhost lookalike", func(c *Config) { c.Issuer = "http://localhost.evil.example" }, "only allowed for localhost"},
		{"no scheme", func(c *Config) { c.Issuer = "localhost:9001" }, "issuer"},
		{"trailing slash", func(c *Config) { c.Issuer = "http://localhost:9001/" }, "slash"},
		{"query", func(c *Config) { c.Issuer = "http://localhost:9001?x=1" }, "query"},
		{"no users or clients", func(c *Config) { c.Users, c.Clients = nil, nil }, "at least one user|at least one client"},
		{"user problems all reported", func(c *Config) {
			c.Users = append(c.Users, User{Subject: "demo-alice", Username: "ALICE"}, User{Subject: "a:b", Username: "x", Password: "p"})
		}, "duplicate subject|duplicate username|password is required|must not contain ':'"},
		{"client problems", func(c *Config) {
			c.Clients = append(c.Clients, Client{ID: "app", RedirectURIs: []string{"javascript:alert(1)"}, PostLogoutRedirectURIs: []string{"/relative"}})
		}, `duplicate id|"javascript:alert(1)"|"/relative"`},
		{"client without redirect", func(c *Config) { c.Clients = []Client{{ID: "x"}} }, "at least one redirect URI"},
		{"small RSA key", func(c *Config) { c.SigningKey = small }, "2048"},
		{"P-384 key", func(c *Config) { c.SigningKey = p384 }, "P-256"},
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

func TestNewDoesNotLeakSecrets(t *testing.T) {
	cfg := Config{
		Issuer:     "http://localhost:9001",
		Users:      []User{{Subject: "s", Username: "u", Password: "hunter2-secret"}},
		Clients:    []Client{{ID: "c", Secret: "client-secret-value", RedirectURIs: []string{"http://localhost/cb"}}},
		SigningKey: testKey(),
	}
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Client secrets are oidcop's (TestClientSecretNotKept there).
	if rec := idp.users.byUsername["u"]; rec.user.Password != "" {
		t.Error("password kept in memory")
	}
}

func TestSigningKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tests := []struct {
		name string
		key  func(*Config)
	}{
		{"ES256", func(c *Config) { c.SigningKey = ec }},
		{"generated RSA", func(c *Config) { c.SigningKey = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.key)
			v, ch := codeflow.PKCE()
			tok := e.exchange(publicID, "", "none", e.login(codeflow.Browser(t), publicID, ch, "alice", alicePass), v)
			if _, err := e.verifier(publicID).Verify(context.Background(), tok.IDToken); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}

func TestIssuerWithPath(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Issuer += "/idp" })
	if !strings.HasSuffix(e.issuer(), "/idp") {
		t.Fatalf("issuer %s", e.issuer())
	}
	v, ch := codeflow.PKCE()
	tok := e.exchange(publicID, "", "none", e.login(codeflow.Browser(t), publicID, ch, "alice", alicePass), v)
	if _, err := e.verifier(publicID).Verify(context.Background(), tok.IDToken); err != nil {
		t.Fatalf("verify: %v", err)
	}
	resp, err := http.Get(e.issuer() + "/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logged-out under path: %d", resp.StatusCode)
	}
}

func TestDirectoryCheck(t *testing.T) {
	d := newDirectory(DefaultUsers(), []byte("k"))
	tests := []struct {
		user, pass, want string
	}{
		{"alice", alicePass, "demo-alice"},
		{" Alice ", alicePass, "demo-alice"},
		{"alice", alicePass + " ", ""},
		{"alice", "", ""},
		{"nobody", alicePass, ""},
		{"bob", alicePass, ""},
	}
	for _, tt := range tests {
		got, ok := d.Check(tt.user, tt.pass)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Check(%q, %q) = %q %v, want %q", tt.user, tt.pass, got, ok, tt.want)
		}
	}
}
