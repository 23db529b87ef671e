package vigilauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	testIssuer   = "https://gw.example.com"
	testAudience = "wiki"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// gateway is a JWKS server with keys the test controls.
type gateway struct {
	srv          *httptest.Server
	mu           sync.Mutex
	keys         map[string]*ecdsa.PrivateKey
	published    []string
	cacheControl string
	down         bool
	fetches      atomic.Int32
	// When gate is set, each fetch signals arrived and then waits for
	// gate to close: a slow gateway.
	gate    chan struct{}
	arrived chan struct{}
}

// hold makes fetches wait until the returned release is called (also
// called at cleanup, so that the server can close).
func (g *gateway) hold(t testing.TB) (release func()) {
	g.mu.Lock()
	g.gate, g.arrived = make(chan struct{}), make(chan struct{}, 16)
	gate := g.gate
	g.mu.Unlock()
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return release
}

func newGateway(t testing.TB) (*gateway, string) {
	g := &gateway{keys: map[string]*ecdsa.PrivateKey{}, cacheControl: "public, max-age=300"}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g, g.newKey(true)
}

func (g *gateway) serve(w http.ResponseWriter, _ *http.Request) {
	g.fetches.Add(1)
	g.mu.Lock()
	gate, arrived := g.gate, g.arrived
	g.mu.Unlock()
	if gate != nil {
		arrived <- struct{}{}
		<-gate
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		http.Error(w, "down", http.StatusBadGateway)
		return
	}
	var set jose.JSONWebKeySet
	for _, kid := range g.published {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &g.keys[kid].PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
	}
	w.Header().Set("Cache-Control", g.cacheControl)
	_ = json.NewEncoder(w).Encode(set)
}

// newKey makes a key, published or not.
func (g *gateway) newKey(publish bool) string {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	kid := base64.RawURLEncoding.EncodeToString(priv.PublicKey.X.Bytes()[:8])
	g.mu.Lock()
	defer g.mu.Unlock()
	g.keys[kid] = priv
	if publish {
		g.published = append(g.published, kid)
	}
	return kid
}

func (g *gateway) publish(kid string) {
	g.mu.Lock()
	g.published = append(g.published, kid)
	g.mu.Unlock()
}

func (g *gateway) setDown(down bool) { g.mu.Lock(); g.down = down; g.mu.Unlock() }

func (g *gateway) url() string { return g.srv.URL + "/.well-known/vigil/jwks.json" }

func b64(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func defaultHeader(kid string) map[string]any {
	return map[string]any{"alg": "ES256", "typ": TokenType, "kid": kid}
}

func defaultClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer, "aud": testAudience, "sub": "user-42", "idp": "okta", "idp_sub": "00u1",
		"email": "ada@example.com", "name": "Ada", "groups": []string{"eng"}, "amr": []string{"pwd", "otp"},
		"acr": "aal2", "auth_time": now.Add(-time.Hour).Unix(), "sid": "sess-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": "j1",
	}
}

// sign makes an ES256 JWS over header and claims with kid's private key.
func (g *gateway) sign(kid string, header, claims map[string]any) string {
	g.mu.Lock()
	priv := g.keys[kid]
	g.mu.Unlock()
	input := b64(header) + "." + b64(claims)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, priv, sum[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func newTestVerifier(t testing.TB, g *gateway, clk *testClock, edit ...func(*Config)) *Verifier {
	t.Helper()
	cfg := Config{JWKSURL: g.url(), Issuer: testIssuer, Audience: testAudience, Clock: clk.Now, HTTPClient: g.srv.Client()}
	for _, e := range edit {
		e(&cfg)
	}
	v, err := NewVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type joseAlg = jose.SignatureAlgorithm
