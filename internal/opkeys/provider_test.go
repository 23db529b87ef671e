package opkeys

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

// loginUI completes every auth request at once for "user-1", as the
// verifier's pages do once the user is verified.
type loginUI struct{ p *oidcop.Provider }

func (u *loginUI) Begin(_ context.Context, req oidcop.Request) (string, error) {
	return u.p.Path("/login?id=" + url.QueryEscape(req.ID)), nil
}

func (u *loginUI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := u.p.Bind(w, r, id); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	next, err := u.p.Complete(r.Context(), id, oidcop.Result{Subject: "user-1", AuthTime: time.Now(), ACR: "urn:test"})
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

type noClaims struct{}

func (noClaims) IDTokenClaims(context.Context, string, string, []string, json.RawMessage) (map[string]any, error) {
	return nil, nil
}

func (noClaims) UserinfoClaims(context.Context, string, string, []string, json.RawMessage) (map[string]any, error) {
	return nil, nil
}

// TestThroughProvider signs real ID tokens with a Ring in an oidcop.Provider
// and verifies them as a relying party does (go-oidc, keys from the JWKS):
// across a restart of the provider and across a rotation.
func TestThroughProvider(t *testing.T) {
	for _, alg := range []string{RS256, ES256} {
		t.Run(alg, func(t *testing.T) {
			path := dbPath(t)
			c := &clock{t: time.Now().Truncate(time.Second)} // ID token exp comes from the real clock
			ring := func() *Ring {
				return newRing(t, openDB(t, path), c, func(cfg *Config) { cfg.Algorithm = alg })
			}
			rp := newRP(t, ring())
			tok := rp.login(t)
			if tok.alg != alg {
				t.Fatalf("ID token signed with %s, want %s", tok.alg, alg)
			}

			// A restarted provider (new Ring, same database, same URL) signs
			// with the same key, and a relying party that fetches its JWKS
			// afresh verifies tokens from before the restart.
			second := ring()
			rp2 := rp.restart(t, second)
			if again := rp2.login(t); again.kid != tok.kid {
				t.Fatalf("after restart signed by %s, want %s", again.kid, tok.kid)
			}
			if _, err := rp2.verifier.Verify(t.Context(), tok.raw); err != nil {
				t.Fatalf("a token from before the restart: %v", err)
			}

			// Rotation: after PublishAhead the new key signs, and tokens of the
			// old one still verify. A relying party that knows nothing yet
			// checks both against the JWKS: one that cached the old JWKS
			// would refetch it for the new kid, but go-oidc may hand a
			// refetch the result of the fetch just before it (its in-flight
			// request is cleared only after waiters are woken), which made
			// this test fail once under load with nothing wrong here.
			c.Advance(time.Minute)
			if err := second.Rotate(t.Context()); err != nil {
				t.Fatal(err)
			}
			c.Advance(DefaultPublishAhead)
			rp2 = rp2.relyingParty(t)
			rotated := rp2.login(t)
			if rotated.kid == tok.kid {
				t.Fatal("still signing with the old key after rotation")
			}
			if _, err := rp2.verifier.Verify(t.Context(), tok.raw); err != nil {
				t.Fatalf("a token of the previous key after rotation: %v", err)
			}
		})
	}
}

type rp struct {
	srv      *httptest.Server
	op       *atomic.Pointer[oidcop.Provider]
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

type idToken struct{ raw, kid, alg string }

// newRP starts a provider using keys and a relying party of it.
func newRP(t *testing.T, keys oidcop.KeySource) *rp {
	t.Helper()
	r := &rp{op: new(atomic.Pointer[oidcop.Provider])}
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	mux.Handle("/op/", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.op.Load().ServeHTTP(w, req) }))
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r.restart(t, keys)
}

// restart replaces the provider behind the same URL, as a restarted
// process would, and returns a relying party that knows nothing yet.
func (r *rp) restart(t *testing.T, keys oidcop.KeySource) *rp {
	t.Helper()
	redirect := r.srv.URL + "/callback"
	ui := &loginUI{}
	p, err := oidcop.New(oidcop.Config{
		Issuer:  r.srv.URL + "/op",
		Clients: []oidcop.Client{{ID: "app", RedirectURIs: []string{redirect}}},
		Keys:    keys, Authenticator: ui, Claims: noClaims{}, UI: ui,
	})
	if err != nil {
		t.Fatal(err)
	}
	ui.p = p
	r.op.Store(p)
	return r.relyingParty(t)
}

// relyingParty is a new relying party of the running provider, with no
// keys cached.
func (r *rp) relyingParty(t *testing.T) *rp {
	t.Helper()
	redirect := r.srv.URL + "/callback"
	provider, err := gooidc.NewProvider(t.Context(), r.op.Load().Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return &rp{
		srv: r.srv, op: r.op,
		oauth:    oauth2.Config{ClientID: "app", RedirectURL: redirect, Endpoint: provider.Endpoint(), Scopes: []string{gooidc.ScopeOpenID}},
		verifier: provider.VerifierContext(t.Context(), &gooidc.Config{ClientID: "app"}),
	}
}

// login runs the code flow with PKCE in a fresh browser and returns the
// verified ID token.
func (r *rp) login(t *testing.T) idToken {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	verifier := oauth2.GenerateVerifier()
	resp, err := browser.Get(r.oauth.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := resp.Request.URL.Query()
	if resp.Request.URL.Path != "/callback" || q.Get("code") == "" {
		t.Fatalf("login ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	tok, err := r.oauth.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := r.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token does not verify against the JWKS: %v", err)
	}
	if id.Subject != "user-1" {
		t.Fatalf("sub %q", id.Subject)
	}
	var hdr struct{ Kid, Alg string }
	if err := decodeHeader(raw, &hdr); err != nil {
		t.Fatal(err)
	}
	return idToken{raw: raw, kid: hdr.Kid, alg: hdr.Alg}
}
