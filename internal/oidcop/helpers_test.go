package oidcop

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

const (
	publicID   = "public-app"
	confID     = "conf-app"
	confSecret = "conf-secret-0123456789"
)

// testKey is generated once per run; ECDSA keeps the tests fast.
var testKey = sync.OnceValue(func() *SigningKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	sk, err := NewSigningKey(k)
	if err != nil {
		panic(err)
	}
	return sk
})

// testAuth is a test double of the login UI seam: its one page binds the
// request to the browser and at once completes it with result (or fails it
// with failure), as a UI would after authenticating the user.
type testAuth struct {
	p        *Provider
	mu       sync.Mutex
	seen     []Request
	result   func(Request) Result
	failure  *AuthError
	beginErr error
	lastErr  error // of the last Complete or Fail
}

func (a *testAuth) Begin(_ context.Context, req Request) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, req)
	if a.beginErr != nil {
		return "", a.beginErr
	}
	return a.p.Path("/login?id=" + url.QueryEscape(req.ID)), nil
}

func (a *testAuth) last(t testing.TB) Request {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.seen) == 0 {
		t.Fatal("authenticator never called")
	}
	return a.seen[len(a.seen)-1]
}

func (a *testAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/logged-out" {
		fmt.Fprint(w, "signed out")
		return
	}
	id := r.URL.Query().Get("id")
	req, err := a.p.Bind(w, r, id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	var next string
	if a.failure != nil {
		next, err = a.p.Fail(r.Context(), id, a.failure)
	} else {
		next, err = a.p.Complete(r.Context(), id, a.result(req))
	}
	a.mu.Lock()
	a.lastErr = err
	a.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// testClaims records the claims requests it gets and echoes them back.
type testClaims struct {
	mu       sync.Mutex
	idToken  []json.RawMessage
	userinfo []json.RawMessage
	extra    map[string]any
}

func (c *testClaims) IDTokenClaims(_ context.Context, sub, clientID string, scopes []string, req json.RawMessage) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idToken = append(c.idToken, req)
	out := map[string]any{"email": sub + "@example.com", "requested": string(req)}
	for k, v := range c.extra {
		out[k] = v
	}
	return out, nil
}

func (c *testClaims) UserinfoClaims(_ context.Context, sub, clientID string, scopes []string, req json.RawMessage) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.userinfo = append(c.userinfo, req)
	return map[string]any{"email": sub + "@example.com", "requested": string(req)}, nil
}

type env struct {
	t      testing.TB
	p      *Provider
	auth   *testAuth
	claims *testClaims
	keys   *KeyRing
	idp    *httptest.Server
	rp     *codeflow.RP
	clock  *codeflow.Clock
}

func defaultResult(now func() time.Time) func(Request) Result {
	return func(Request) Result {
		return Result{Subject: "user-1", AuthTime: now(), ACR: "urn:test:acr", AMR: []string{"pwd", "otp"}}
	}
}

func newEnv(t testing.TB, tweaks ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clock: codeflow.NewClock(), claims: &testClaims{}, rp: codeflow.NewRP(t)}
	e.auth = &testAuth{result: defaultResult(e.clock.Now)}
	mux := http.NewServeMux()
	e.idp = httptest.NewServer(mux)
	t.Cleanup(e.idp.Close)
	keys, err := NewKeyRing(testKey())
	if err != nil {
		t.Fatal(err)
	}
	e.keys = keys
	cfg := Config{
		Issuer: e.idp.URL + "/op",
		Clients: []Client{
			{ID: publicID, RedirectURIs: []string{e.redirectURI()}, PostLogoutRedirectURIs: []string{e.rp.URL + "/bye"}},
			{ID: confID, Secret: confSecret, RedirectURIs: []string{e.redirectURI()}},
		},
		Keys: keys, Authenticator: e.auth, Claims: e.claims, UI: e.auth,
		Clock: e.clock.Now,
	}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.p, e.auth.p = p, p
	mux.Handle("/op/", p)
	return e
}

func (e *env) issuer() string      { return e.p.Issuer() }
func (e *env) redirectURI() string { return e.rp.RedirectURI() }

// authorizeURL builds an authorization request for the public client;
// extra overrides parameters (an empty value removes one).
func (e *env) authorizeURL(challenge string, extra map[string]string) string {
	q := url.Values{
		"client_id": {publicID}, "redirect_uri": {e.redirectURI()}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st-123"}, "nonce": {"n-456"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	return codeflow.AuthorizeURL(e.issuer()+"/authorize", q, extra)
}

// authorize runs the browser part and returns what the RP received.
func (e *env) authorize(c *http.Client, challenge string, extra map[string]string) codeflow.Callback {
	e.t.Helper()
	resp, err := c.Get(e.authorizeURL(challenge, extra))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if !e.rp.Reached(resp) {
		e.t.Fatalf("authorize ended at %s with %d, want the relying party", resp.Request.URL, resp.StatusCode)
	}
	return e.rp.Last()
}

func (e *env) exchange(code, verifier string) codeflow.Token {
	e.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {e.redirectURI()},
		"client_id": {publicID}, "code_verifier": {verifier}}
	return codeflow.Exchange(e.t, e.issuer()+"/oauth/token", form, "", "")
}

// login runs a whole code flow with extra parameters and returns the
// verified ID token claims and the access token.
func (e *env) login(extra map[string]string) (map[string]any, codeflow.Token) {
	e.t.Helper()
	v, ch := codeflow.PKCE()
	res := e.authorize(codeflow.Browser(e.t), ch, extra)
	if res.Error != "" || res.Code == "" || res.State != "st-123" {
		e.t.Fatalf("callback = %+v", res)
	}
	tok := e.exchange(res.Code, v)
	if tok.Status != http.StatusOK {
		e.t.Fatalf("token endpoint: %d %s", tok.Status, tok.Error)
	}
	p, err := gooidc.NewProvider(context.Background(), e.issuer())
	if err != nil {
		e.t.Fatal(err)
	}
	idt, err := p.Verifier(&gooidc.Config{ClientID: publicID}).Verify(context.Background(), tok.IDToken)
	if err != nil {
		e.t.Fatalf("verify ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		e.t.Fatal(err)
	}
	return claims, tok
}

func (e *env) userinfo(accessToken string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
