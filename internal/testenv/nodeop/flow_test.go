package nodeop_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/testenv/nodeop"
)

// rp plays the relying party's redirect URIs and hands each query to the test.
type rp struct {
	srv       *httptest.Server
	callbacks chan url.Values
	logouts   chan url.Values
	bcl       chan url.Values // back-channel logout POSTs from the OP
}

func newRP(t *testing.T) *rp {
	r := &rp{callbacks: make(chan url.Values, 4), logouts: make(chan url.Values, 4), bcl: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, req *http.Request) {
		r.callbacks <- req.URL.Query()
		w.Write([]byte("callback ok"))
	})
	mux.HandleFunc("GET /bye", func(w http.ResponseWriter, req *http.Request) {
		r.logouts <- req.URL.Query()
		w.Write([]byte("bye"))
	})
	mux.HandleFunc("POST /bcl", func(w http.ResponseWriter, req *http.Request) {
		if err := req.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		r.bcl <- req.PostForm
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func recv(t *testing.T, ch chan url.Values) url.Values {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("the RP was never called")
		return nil
	}
}

// TestAuthCodePKCEFlow signs in against the real Node OP with the same
// libraries Vigil's relying party uses, for both ID token algorithms.
func TestAuthCodePKCEFlow(t *testing.T) {
	rp := newRP(t)
	op := nodeop.Start(t, nodeop.Options{
		Clients: []nodeop.Client{
			{ID: "es", Secret: "es-secret", RedirectURIs: []string{rp.srv.URL + "/callback"},
				PostLogoutRedirectURIs: []string{rp.srv.URL + "/bye"}, BackchannelLogoutURI: rp.srv.URL + "/bcl"},
			{ID: "rs", Secret: "rs-secret", RedirectURIs: []string{rp.srv.URL + "/callback"}, IDTokenAlg: "RS256"},
		},
		Users: map[string]nodeop.User{
			"alice": {Name: "Alice Liddell", Groups: []string{"eng", "admins"}},
			"carol": {Email: "Carol@Corp.Example", EmailUnverified: true},
		},
	})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, op.Issuer) // fails on an issuer mismatch
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		client, secret, alg, user string
		email                     string
		verified                  bool
		name                      string
		groups                    []string
	}{
		{"es", "es-secret", "ES256", "alice", "alice@example.com", true, "Alice Liddell", []string{"eng", "admins"}},
		{"rs", "rs-secret", "RS256", "bob", "bob@example.com", true, "bob", []string{}},
		{"es", "es-secret", "ES256", "carol", "Carol@Corp.Example", false, "carol", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.client+"/"+tc.user, func(t *testing.T) {
			conf := &oauth2.Config{
				ClientID: tc.client, ClientSecret: tc.secret, RedirectURL: rp.srv.URL + "/callback",
				Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile", "groups"},
			}
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, Timeout: 10 * time.Second}

			state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
			page, err := client.Get(conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
			if err != nil {
				t.Fatal(err)
			}
			out, err := nodeop.Login(client, page, tc.user)
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := out.Location()
			out.Body.Close()
			if loc == nil || !strings.HasPrefix(loc.String(), rp.srv.URL+"/callback?") {
				t.Fatalf("Login ended at %v, want the RP callback", loc)
			}
			if _, err := client.Get(loc.String()); err != nil {
				t.Fatal(err)
			}
			q := recv(t, rp.callbacks)
			if q.Get("state") != state || q.Get("iss") != op.Issuer || q.Get("code") == "" {
				t.Fatalf("callback query %v: want our state, iss %s and a code", q, op.Issuer)
			}

			// PKCE is enforced: the code is worthless without its verifier.
			if _, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
				t.Fatal("exchange with a wrong code_verifier succeeded")
			}
			code := signInAgain(t, client, conf, rp, tc.user)
			tok, err := conf.Exchange(ctx, code.code, oauth2.VerifierOption(code.verifier))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := provider.VerifierContext(ctx, &oidc.Config{ClientID: tc.client, SupportedSigningAlgs: []string{tc.alg}}).Verify(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			if idt.Issuer != op.Issuer || !slices.Equal(idt.Audience, []string{tc.client}) || idt.Nonce != code.nonce || idt.Subject != tc.user {
				t.Fatalf("ID token iss=%q aud=%v nonce=%q sub=%q", idt.Issuer, idt.Audience, idt.Nonce, idt.Subject)
			}
			var claims struct {
				Email         string   `json:"email"`
				EmailVerified bool     `json:"email_verified"`
				Name          string   `json:"name"`
				Groups        []string `json:"groups"`
			}
			if err := idt.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Email != tc.email || claims.EmailVerified != tc.verified || claims.Name != tc.name || !slices.Equal(claims.Groups, tc.groups) {
				t.Fatalf("claims %+v, want email %q verified %v name %q groups %v", claims, tc.email, tc.verified, tc.name, tc.groups)
			}
			if tc.client == "es" && tc.user == "alice" {
				testLogout(t, client, provider, conf, raw, rp)
				lt, err := provider.VerifierContext(ctx, &oidc.Config{ClientID: "es"}).VerifyLogout(ctx, recv(t, rp.bcl).Get("logout_token"))
				if err != nil || lt.Subject != "alice" {
					t.Fatalf("back-channel logout token: %v, %+v", err, lt)
				}
			}
		})
	}
}

type codeGrant struct{ code, verifier, nonce string }

// signInAgain starts a second authorization in the same browser: the OP
// session and grant exist, so it must redirect straight back without a form.
func signInAgain(t *testing.T, client *http.Client, conf *oauth2.Config, rp *rp, user string) codeGrant {
	t.Helper()
	g := codeGrant{verifier: oauth2.GenerateVerifier(), nonce: oauth2.GenerateVerifier()}
	state := oauth2.GenerateVerifier()
	resp, err := client.Get(conf.AuthCodeURL(state, oidc.Nonce(g.nonce), oauth2.S256ChallengeOption(g.verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := recv(t, rp.callbacks)
	if q.Get("state") != state {
		t.Fatalf("silent sign-in for %s: callback %v", user, q)
	}
	g.code = q.Get("code")
	return g
}

// testLogout runs RP-initiated logout and checks the OP session is gone.
func testLogout(t *testing.T, client *http.Client, provider *oidc.Provider, conf *oauth2.Config, idToken string, rp *rp) {
	t.Helper()
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&meta); err != nil || meta.EndSession == "" {
		t.Fatalf("no end_session_endpoint: %v", err)
	}
	q := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {rp.srv.URL + "/bye"}, "state": {"s1"}}
	page, err := client.Get(meta.EndSession + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	out, err := nodeop.Logout(client, page)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if loc, _ := out.Location(); loc == nil || !strings.HasPrefix(loc.String(), rp.srv.URL+"/bye") {
		t.Fatalf("Logout ended at %v, want the post-logout URI", loc)
	}
	if _, err := client.Get(out.Header.Get("Location")); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, rp.logouts).Get("state"); got != "s1" {
		t.Fatalf("post-logout state %q", got)
	}

	// The OP session is gone: the next authorization shows the login form again.
	page, err = client.Get(conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	if out, err = nodeop.Login(client, page, "alice"); err != nil {
		t.Fatalf("after logout: %v", err)
	}
	out.Body.Close()
}
