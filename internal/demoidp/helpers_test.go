package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

const (
	publicID   = "public-app"
	confID     = "conf-app"
	confSecret = "conf-secret-0123456789"
	alicePass  = "alice-demo-password"
)

// testKey is generated once: RSA key generation is slow under -race.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// testClock is a settable clock for expiry tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// rpResult is what the relying party's callback received.
type rpResult struct {
	Code, State, Error string
}

// env is an IdP behind a real HTTP server plus a relying party that records
// its callbacks.
type env struct {
	t      testing.TB
	idp    *httptest.Server
	rp     *httptest.Server
	clock  *testClock
	iss    string
	mu     sync.Mutex
	result []rpResult
}

func (e *env) issuer() string      { return e.iss }
func (e *env) redirectURI() string { return e.rp.URL + "/callback" }

// newEnv starts an IdP with two clients and the default users; tweaks may
// change the config (an issuer path is mounted as such).
func newEnv(t testing.TB, tweaks ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{t: time.Now().Truncate(time.Second)}}
	e.rp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		e.mu.Lock()
		e.result = append(e.result, rpResult{Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error")})
		e.mu.Unlock()
		fmt.Fprint(w, "rp ok")
	}))
	t.Cleanup(e.rp.Close)
	mux := http.NewServeMux()
	e.idp = httptest.NewServer(mux)
	t.Cleanup(e.idp.Close)
	cfg := Config{
		Issuer: e.idp.URL,
		Users:  DefaultUsers(),
		Clients: []Client{
			{ID: publicID, RedirectURIs: []string{e.redirectURI()}, PostLogoutRedirectURIs: []string{e.rp.URL + "/bye"}},
			{ID: confID, Secret: confSecret, RedirectURIs: []string{e.redirectURI()}},
		},
		Clock:      e.clock.Now,
		SigningKey: testKey(),
	}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	idp, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.iss = idp.Issuer()
	u, _ := url.Parse(e.iss)
	mux.Handle(u.Path+"/", idp)
	return e
}

func (e *env) lastResult() rpResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.result) == 0 {
		e.t.Fatal("relying party received no callback")
	}
	return e.result[len(e.result)-1]
}

func browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// pkce returns a verifier and its S256 challenge.
func pkce(t testing.TB) (string, string) {
	b := make([]byte, 32)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL builds an authorization request; extra overrides parameters
// (an empty value removes one).
func (e *env) authorizeURL(clientID, challenge string, extra map[string]string) string {
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {e.redirectURI()}, "response_type": {"code"},
		"scope": {"openid email profile groups"}, "state": {"st-123"}, "nonce": {"n-456"},
	}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return e.issuer() + "/authorize?" + q.Encode()
}

// login runs the browser part of the flow and returns the code.
func (e *env) login(c *http.Client, clientID, challenge, user, pass string) string {
	e.t.Helper()
	resp, err := c.Get(e.authorizeURL(clientID, challenge, nil))
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/login") {
		e.t.Fatalf("authorize ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	resp, err = SubmitLogin(c, resp, user, pass)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Host != strings.TrimPrefix(e.rp.URL, "http://") {
		e.t.Fatalf("login ended at %s with %d, want the relying party", resp.Request.URL, resp.StatusCode)
	}
	res := e.lastResult()
	if res.Error != "" || res.Code == "" || res.State != "st-123" {
		e.t.Fatalf("callback = %+v", res)
	}
	return res.Code
}

type tokenResponse struct {
	Status      int
	Error       string `json:"error"`
	IDToken     string `json:"id_token"`
	AccessToken string `json:"access_token"`
}

// exchange posts to the token endpoint; auth is "none", "basic" or "post".
func (e *env) exchange(clientID, secret, auth, code, verifier string) tokenResponse {
	e.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {e.redirectURI()}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	switch auth {
	case "none":
		form.Set("client_id", clientID)
	case "post":
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	}
	req, _ := http.NewRequest(http.MethodPost, e.issuer()+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth == "basic" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("token response (HTTP %d): %v", resp.StatusCode, err)
	}
	out.Status = resp.StatusCode
	return out
}

func (e *env) verifier(clientID string) *gooidc.IDTokenVerifier {
	e.t.Helper()
	p, err := gooidc.NewProvider(context.Background(), e.issuer())
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Verifier(&gooidc.Config{ClientID: clientID})
}

// noRedirect returns a copy of c that stops at the first redirect.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}
