package demoidp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

func TestAuthorizeRejects(t *testing.T) {
	tests := []struct {
		name      string
		clientID  string
		pkce      bool
		extra     map[string]string
		toRP      bool // the error goes back to the (registered) redirect URI
		wantError string
	}{
		{"unknown redirect_uri", publicID, true, map[string]string{"redirect_uri": "https://evil.example/callback"}, false, ""},
		{"redirect_uri differs by path", publicID, true, map[string]string{"redirect_uri": "REPLACE/callback/x"}, false, ""},
		{"unknown client", "nope", true, nil, false, ""},
		{"public client without PKCE", publicID, false, nil, true, "invalid_request"},
		{"plain PKCE", publicID, true, map[string]string{"code_challenge_method": "plain"}, true, "invalid_request"},
		{"PKCE without method (plain)", publicID, true, map[string]string{"code_challenge_method": ""}, true, "invalid_request"},
		{"confidential with plain PKCE", confID, true, map[string]string{"code_challenge_method": "plain"}, true, "invalid_request"},
		{"prompt=none", publicID, true, map[string]string{"prompt": "none"}, true, "login_required"},
		{"implicit flow", publicID, true, map[string]string{"response_type": "id_token"}, true, "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for k, v := range tt.extra {
				tt.extra[k] = strings.Replace(v, "REPLACE", e.rp.URL, 1)
			}
			ch := ""
			if tt.pkce {
				_, ch = codeflow.PKCE()
			}
			resp, err := codeflow.NoRedirect(codeflow.Browser(t)).Get(e.authorizeURL(tt.clientID, ch, tt.extra))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := resp.Location()
			if !tt.toRP {
				if resp.StatusCode != http.StatusBadRequest || loc != nil {
					t.Fatalf("got %d to %v, want 400 without redirect", resp.StatusCode, loc)
				}
				return
			}
			if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), e.redirectURI()) {
				t.Fatalf("got %d to %v, want an error redirect to the client", resp.StatusCode, loc)
			}
			params := loc.Query()
			if loc.Fragment != "" { // errors for response types with tokens go in the fragment
				params, _ = url.ParseQuery(loc.Fragment)
			}
			if got := params.Get("error"); got != tt.wantError || params.Get("code") != "" {
				t.Fatalf("error = %q (%v), want %q", got, loc, tt.wantError)
			}
		})
	}
}

func TestEndSession(t *testing.T) {
	tests := []struct {
		name     string
		params   func(e *env, idToken string) url.Values
		want     int
		location func(e *env) string
		revokes  bool
	}{
		{"registered uri with client_id", func(e *env, _ string) url.Values {
			return url.Values{"client_id": {publicID}, "post_logout_redirect_uri": {e.rp.URL + "/bye"}, "state": {"s1"}}
		}, http.StatusFound, func(e *env) string { return e.rp.URL + "/bye?state=s1" }, false}, // no user named: nothing to revoke
		{"registered uri with id_token_hint", func(e *env, idt string) url.Values {
			return url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {e.rp.URL + "/bye"}}
		}, http.StatusFound, func(e *env) string { return e.rp.URL + "/bye" }, true},
		{"unregistered uri", func(e *env, _ string) url.Values {
			return url.Values{"client_id": {publicID}, "post_logout_redirect_uri": {"https://evil.example/bye"}}
		}, http.StatusBadRequest, nil, false},
		{"uri registered for another path", func(e *env, _ string) url.Values {
			return url.Values{"client_id": {publicID}, "post_logout_redirect_uri": {e.rp.URL + "/bye/../evil"}}
		}, http.StatusBadRequest, nil, false},
		{"uri without client", func(e *env, _ string) url.Values {
			return url.Values{"post_logout_redirect_uri": {e.rp.URL + "/bye"}}
		}, http.StatusBadRequest, nil, false},
		{"no uri", func(e *env, _ string) url.Values { return url.Values{} },
			http.StatusFound, func(e *env) string { return e.issuer() + "/logged-out" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			v, ch := codeflow.PKCE()
			tok := e.exchange(publicID, "", "none", e.login(codeflow.Browser(t), publicID, ch, "carol", "carol-demo-password"), v)
			resp, err := codeflow.NoRedirect(codeflow.Browser(t)).Get(e.issuer() + "/end_session?" + tt.params(e, tok.IDToken).Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.location != nil {
				if got := resp.Header.Get("Location"); got != tt.location(e) {
					t.Fatalf("Location %q, want %q", got, tt.location(e))
				}
			}
			// Ending the session at a client revokes the user's access
			// tokens there.
			req, _ := http.NewRequest(http.MethodGet, e.issuer()+"/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			ui, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			ui.Body.Close()
			if revoked := ui.StatusCode != http.StatusOK; revoked != tt.revokes {
				t.Fatalf("userinfo after end_session: %d, want revoked=%v", ui.StatusCode, tt.revokes)
			}
		})
	}
}

func TestLoggedOutPage(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.issuer() + "/logged-out")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "signed out") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Issuer          string   `json:"issuer"`
		JWKS            string   `json:"jwks_uri"`
		EndSession      string   `json:"end_session_endpoint"`
		PKCE            []string `json:"code_challenge_methods_supported"`
		AuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
		Claims          []string `json:"claims_supported"`
		ResponseTypes   []string `json:"response_types_supported"`
		IDTokenSignAlgs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"issuer", d.Issuer == e.issuer()},
		{"jwks_uri", d.JWKS == e.issuer()+"/keys"},
		{"end_session_endpoint", d.EndSession == e.issuer()+"/end_session"},
		{"S256", slices.Equal(d.PKCE, []string{"S256"})},
		{"client_secret_basic", slices.Contains(d.AuthMethods, "client_secret_basic")},
		{"client_secret_post", slices.Contains(d.AuthMethods, "client_secret_post")},
		{"groups claim", slices.Contains(d.Claims, "groups")},
		{"RS256", slices.Equal(d.IDTokenSignAlgs, []string{"RS256"})},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("discovery %s wrong: %+v", c.name, d)
		}
	}
}
