package verifier

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

const rpClient = "browser-app"

// testRP is the relying party of the browser test, a separate site
// (localhost, the verifier is on 127.0.0.1). /login starts an authorization
// at the verifier asking for the document-review rung and verified_claims;
// /callback checks state, exchanges the code with PKCE, verifies the ID
// token and its nonce, and shows the token's claims as JSON in #claims.
type testRP struct {
	srv       *httptest.Server
	URL       string
	loginHint string

	mu       sync.Mutex
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
	pending  map[string]rpLogin // by state
}

type rpLogin struct{ pkce, nonce string }

const rpCookie = "rp_login"

func newTestRP(t *testing.T, loginHint string) *testRP {
	t.Helper()
	rp := &testRP{loginHint: loginHint, pending: map[string]rpLogin{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", rp.login)
	mux.HandleFunc("GET /callback", rp.callback)
	rp.srv = httptest.NewServer(mux)
	t.Cleanup(rp.srv.Close)
	rp.URL = strings.Replace(rp.srv.URL, "127.0.0.1", "localhost", 1)
	return rp
}

// client is the verifier's registration of this RP.
func (rp *testRP) client() oidcop.Client {
	return oidcop.Client{ID: rpClient, RedirectURIs: []string{rp.URL + "/callback"}}
}

// discover reads the verifier's discovery document, as an RP does at start.
func (rp *testRP) discover(t *testing.T, issuer string) {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatal(err)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.conf = oauth2.Config{ClientID: rpClient, RedirectURL: rp.URL + "/callback", Endpoint: p.Endpoint(),
		Scopes: []string{oidc.ScopeOpenID, "email"}}
	rp.verifier = p.Verifier(&oidc.Config{ClientID: rpClient})
}

func (rp *testRP) login(w http.ResponseWriter, r *http.Request) {
	state, l := rand.Text(), rpLogin{pkce: oauth2.GenerateVerifier(), nonce: rand.Text()}
	rp.mu.Lock()
	rp.pending[state] = l
	conf := rp.conf
	rp.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: rpCookie, Value: state, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, conf.AuthCodeURL(state,
		oauth2.S256ChallengeOption(l.pkce),
		oauth2.SetAuthURLParam("nonce", l.nonce),
		oauth2.SetAuthURLParam("acr_values", RungDocumentReview),
		oauth2.SetAuthURLParam("login_hint", rp.loginHint),
		oauth2.SetAuthURLParam("claims", vcRequest),
	), http.StatusFound)
}

func (rp *testRP) callback(w http.ResponseWriter, r *http.Request) {
	claims, err := rp.finish(r)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		rpPage.Execute(w, map[string]string{"Title": "RP error", "Error": err.Error()})
		return
	}
	out, _ := json.MarshalIndent(claims, "", "  ")
	rpPage.Execute(w, map[string]string{"Title": "Signed in", "Claims": string(out)})
}

// finish is the RP's side of the code flow; every check fails closed.
func (rp *testRP) finish(r *http.Request) (map[string]any, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, fmt.Errorf("authorization failed: %s: %s", e, q.Get("error_description"))
	}
	c, err := r.Cookie(rpCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(q.Get("state"))) != 1 {
		return nil, fmt.Errorf("state does not match this browser's login")
	}
	rp.mu.Lock()
	l, ok := rp.pending[c.Value]
	delete(rp.pending, c.Value)
	conf, verifier := rp.conf, rp.verifier
	rp.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown or replayed state")
	}
	tok, err := conf.Exchange(r.Context(), q.Get("code"), oauth2.VerifierOption(l.pkce))
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(r.Context(), raw)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.nonce)) != 1 {
		return nil, fmt.Errorf("id token nonce does not match")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	if claims["acr"] != RungDocumentReview || claims["verified_claims"] == nil {
		return nil, fmt.Errorf("id token lacks the document-review rung or verified_claims: acr %v", claims["acr"])
	}
	return claims, nil
}

var rpPage = template.Must(template.New("rp").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - test RP</title></head>
<body style="font:15px system-ui,sans-serif;margin:2rem">
<h1>{{.Title}}</h1>
{{with .Error}}<p class="error">{{.}}</p>{{end}}
{{with .Claims}}<pre id="claims">{{.}}</pre>{{end}}
</body></html>`))
