package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
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

// env is an IdP behind a real HTTP server plus a relying party that records
// its callbacks.
type env struct {
	t     testing.TB
	idp   *httptest.Server
	rp    *codeflow.RP
	clock *codeflow.Clock
	iss   string
}

func (e *env) issuer() string      { return e.iss }
func (e *env) redirectURI() string { return e.rp.RedirectURI() }

// newEnv starts an IdP with two clients and the default users; tweaks may
// change the config (an issuer path is mounted as such).
func newEnv(t testing.TB, tweaks ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clock: codeflow.NewClock(), rp: codeflow.NewRP(t)}
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
	return codeflow.AuthorizeURL(e.issuer()+"/authorize", q, extra)
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
	if !e.rp.Reached(resp) {
		e.t.Fatalf("login ended at %s with %d, want the relying party", resp.Request.URL, resp.StatusCode)
	}
	res := e.rp.Last()
	if res.Error != "" || res.Code == "" || res.State != "st-123" {
		e.t.Fatalf("callback = %+v", res)
	}
	return res.Code
}

// exchange posts to the token endpoint; auth is "none", "basic" or "post".
func (e *env) exchange(clientID, secret, auth, code, verifier string) codeflow.Token {
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
	case "basic":
		return codeflow.Exchange(e.t, e.issuer()+"/oauth/token", form, clientID, secret)
	}
	return codeflow.Exchange(e.t, e.issuer()+"/oauth/token", form, "", "")
}

func (e *env) verifier(clientID string) *gooidc.IDTokenVerifier {
	e.t.Helper()
	p, err := gooidc.NewProvider(context.Background(), e.issuer())
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Verifier(&gooidc.Config{ClientID: clientID})
}
