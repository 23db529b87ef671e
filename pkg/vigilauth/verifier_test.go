package vigilauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type tokenCase struct {
	name string
	// make builds the token from the gateway, its published kid and an
	// unpublished kid.
	make    func(g *gateway, kid, stray string) string
	wantErr string // empty: valid
}

func edited(editH func(map[string]any), editC func(map[string]any)) func(*gateway, string, string) string {
	return func(g *gateway, kid, _ string) string {
		h, c := defaultHeader(kid), defaultClaims(testNow)
		if editH != nil {
			editH(h)
		}
		if editC != nil {
			editC(c)
		}
		return g.sign(kid, h, c)
	}
}

func tokenCases() []tokenCase {
	return []tokenCase{
		{"valid", edited(nil, nil), ""},
		{"aud array", edited(nil, func(c map[string]any) { c["aud"] = []string{"crm", testAudience} }), ""},
		{"media type typ", edited(func(h map[string]any) { h["typ"] = "application/Vigil-Assertion+JWT" }, nil), ""},
		{"expired within leeway", edited(nil, func(c map[string]any) { c["exp"] = testNow.Add(-10 * time.Second).Unix() }), ""},
		{"expired", edited(nil, func(c map[string]any) { c["exp"] = testNow.Add(-31 * time.Second).Unix() }), "expired"},
		{"no exp", edited(nil, func(c map[string]any) { delete(c, "exp") }), "exp and iat"},
		{"no iat", edited(nil, func(c map[string]any) { delete(c, "iat") }), "exp and iat"},
		{"not yet valid", edited(nil, func(c map[string]any) { c["nbf"] = testNow.Add(time.Minute).Unix() }), "not valid before"},
		{"issued in future", edited(nil, func(c map[string]any) { c["iat"] = testNow.Add(time.Minute).Unix() }), "future"},
		{"wrong aud", edited(nil, func(c map[string]any) { c["aud"] = "crm" }), "audience"},
		{"no aud", edited(nil, func(c map[string]any) { delete(c, "aud") }), "audience"},
		{"wrong iss", edited(nil, func(c map[string]any) { c["iss"] = "https://evil.example.com" }), "issuer"},
		{"no sub", edited(nil, func(c map[string]any) { delete(c, "sub") }), "sub"},
		{"typ JWT", edited(func(h map[string]any) { h["typ"] = "JWT" }, nil), "typ"},
		{"no typ", edited(func(h map[string]any) { delete(h, "typ") }, nil), "typ"},
		{"no kid", edited(func(h map[string]any) { delete(h, "kid") }, nil), "no kid"},
		{"embedded jwk", edited(func(h map[string]any) {
			h["jwk"] = map[string]any{"kty": "EC", "crv": "P-256",
				"x": "YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y", "y": "eQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk"}
		}, nil), "jwk"},
		{"alg ES384 not allowed", edited(func(h map[string]any) { h["alg"] = "ES384" }, nil), "malformed"},
		{"alg none", func(_ *gateway, kid, _ string) string {
			h := defaultHeader(kid)
			h["alg"] = "none"
			return b64(h) + "." + b64(defaultClaims(testNow)) + "."
		}, "malformed"},
		{"HS256 with public key", func(g *gateway, kid, _ string) string {
			h := defaultHeader(kid)
			h["alg"] = "HS256"
			der, _ := x509.MarshalPKIXPublicKey(&g.keys[kid].PublicKey)
			input := b64(h) + "." + b64(defaultClaims(testNow))
			m := hmac.New(sha256.New, der)
			m.Write([]byte(input))
			return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		}, "malformed"},
		{"tampered payload", func(g *gateway, kid, _ string) string {
			tok := g.sign(kid, defaultHeader(kid), defaultClaims(testNow))
			parts := strings.Split(tok, ".")
			c := defaultClaims(testNow)
			c["groups"] = []string{"admins"}
			return parts[0] + "." + b64(c) + "." + parts[2]
		}, "bad signature"},
		{"signed by stray key under published kid", func(g *gateway, kid, stray string) string {
			return g.sign(stray, defaultHeader(kid), defaultClaims(testNow))
		}, "bad signature"},
		{"unknown kid", func(g *gateway, _, stray string) string {
			return g.sign(stray, defaultHeader(stray), defaultClaims(testNow))
		}, "unknown kid"},
		{"garbage", func(*gateway, string, string) string { return "not.a.jwt" }, "malformed"},
		{"empty", func(*gateway, string, string) string { return "" }, "empty"},
		{"oversized", func(*gateway, string, string) string { return strings.Repeat("a", maxTokenLen+1) }, "oversized"},
	}
}

func TestVerify(t *testing.T) {
	g, kid := newGateway(t)
	stray := g.newKey(false)
	clk := &testClock{t: testNow}
	v := newTestVerifier(t, g, clk)
	for _, tt := range tokenCases() {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.make(g, kid, stray))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Subject != "user-42" || c.Email != "ada@example.com" || c.SessionID != "sess-1" ||
					!c.Expiry.After(testNow.Add(-time.Minute)) || c.AuthTime.IsZero() || len(c.AMR) != 2 {
					t.Fatalf("claims = %+v", c)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want error mentioning %q", tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrInvalidToken mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"ok", func(*Config) {}, ""},
		{"no url", func(c *Config) { c.JWKSURL = "" }, "JWKSURL"},
		{"relative url", func(c *Config) { c.JWKSURL = "/jwks.json" }, "JWKSURL"},
		{"no issuer", func(c *Config) { c.Issuer = "" }, "Issuer"},
		{"no audience", func(c *Config) { c.Audience = "" }, "Audience"},
		{"huge leeway", func(c *Config) { c.Leeway = time.Hour }, "Leeway"},
		{"alg none", func(c *Config) { c.Algorithms = []string{"none"} }, "not allowed"},
		{"alg HS256", func(c *Config) { c.Algorithms = []string{"ES256", "HS256"} }, "not allowed"},
		{"alg ES384", func(c *Config) { c.Algorithms = []string{"ES384"} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{JWKSURL: "https://gw.example.com/.well-known/vigil/jwks.json", Issuer: testIssuer, Audience: testAudience}
			tt.edit(&cfg)
			_, err := NewVerifier(context.Background(), cfg)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, and
// anything it accepts must carry the configured issuer and audience.
func FuzzVerify(f *testing.F) {
	g, kid := newGateway(f)
	stray := g.newKey(false)
	for _, tt := range tokenCases() {
		if tt.name != "oversized" {
			f.Add(tt.make(g, kid, stray))
		}
	}
	clk := &testClock{t: testNow}
	v := newTestVerifier(f, g, clk, func(c *Config) { c.MinRefreshInterval = time.Hour })
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			if c != nil {
				t.Fatal("claims returned with an error")
			}
			return
		}
		if c.Issuer != testIssuer || !slices.Contains(c.Audience, testAudience) || c.Subject == "" {
			t.Fatalf("accepted bad claims %+v", c)
		}
	})
}
