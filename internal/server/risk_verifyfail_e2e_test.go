package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
)

// TestRepeatedVerificationFailuresRaiseRisk: u1 must verify for this app
// but abandons the verification three times (the verifier answers
// access_denied, as when the person cancels or fails its checks). The
// third failure raises the verification-failures factor.
func TestRepeatedVerificationFailuresRaiseRisk(t *testing.T) {
	e := startRisk(t, func(c *config.Config) {
		c.Apps[0].Policies = []config.Rule{{Name: "verified-staff", Action: "allow",
			Include: []config.Selector{{Group: config.StringList{"staff"}}},
			Require: []config.Selector{{Verified: "ial2"}}}}
	})
	u1, _ := e.browserFrom("")
	page := signInDemo(t, u1, e.public+"/payroll", "u1")
	readBody(t, page)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		t.Fatalf("after sign-in: %s, want the verifier's login page", page.Request.URL)
	}
	for i := 1; i <= 3; i++ {
		resp := get(t, noFollow(u1), e.public+"/.vigil/verify?rd="+url.QueryEscape(e.public+"/payroll"), "text/html", nil)
		readBody(t, resp)
		to, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode/100 != 3 || to.Query().Get("state") == "" {
			t.Fatalf("attempt %d: HTTP %d to %q, want the verifier's authorization endpoint", i, resp.StatusCode, resp.Header.Get("Location"))
		}
		cb := e.public + "/.vigil/callback?error=access_denied&state=" + url.QueryEscape(to.Query().Get("state"))
		resp = get(t, noFollow(u1), cb, "text/html", nil)
		body := readBody(t, resp)
		if resp.StatusCode < 400 || !strings.Contains(body, "access_denied") {
			t.Fatalf("attempt %d: callback HTTP %d: %s", i, resp.StatusCode, body)
		}
		v := e.risk(t, "u1@example.com")
		found := false
		for _, f := range v.Factors {
			found = found || f.Kind == "verification-failures"
		}
		if found != (i == 3) {
			t.Fatalf("after %d failures: factors %+v", i, v.Factors)
		}
		if i == 3 && v.Level != "medium" {
			t.Fatalf("after 3 failures: %+v, want medium", v)
		}
	}
}

// TestAdminRevokesAppAndProvider: an app revocation makes every earlier
// session sign in again for that app; a provider revocation ends every
// session made through it; names that are not configured are refused.
func TestAdminRevokesAppAndProvider(t *testing.T) {
	e := startRisk(t, nil)
	u1, _ := e.browserFrom("")
	if resp := signInDemo(t, u1, e.public+"/", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		body map[string]any
		code int
	}{
		{map[string]any{"scope": "app", "key": "no-such-app"}, 404},
		{map[string]any{"scope": "provider", "key": "no-such-idp"}, 404},
	} {
		if code := e.admin(t, "POST", "/sessions/revoke", tc.body, nil); code != tc.code {
			t.Errorf("%v: HTTP %d, want %d", tc.body, code, tc.code)
		}
	}
	if code, _ := getEcho(t, u1, e.public+"/", nil); code != 200 {
		t.Fatalf("refused names changed something: HTTP %d", code)
	}
	if code := e.admin(t, "POST", "/sessions/revoke", map[string]any{"scope": "app", "key": "echo"}, nil); code != 200 {
		t.Fatalf("revoke app: HTTP %d", code)
	}
	if code, loc, body := status(t, u1, e.public+"/", "text/html"); code != 302 || !strings.Contains(loc, "/.vigil/login") {
		t.Fatalf("after the app revocation: %s", describe(code, loc, body))
	}
	// Signing in again makes a session the revocation does not cover.
	if resp := signInDemo(t, u1, e.public+"/", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in again: HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	var out struct {
		Revoked int `json:"revoked"`
	}
	if code := e.admin(t, "POST", "/sessions/revoke", map[string]any{"scope": "provider", "key": "demo", "reason": "IdP compromised"}, &out); code != 200 || out.Revoked < 1 {
		t.Fatalf("revoke provider: HTTP %d %+v", code, out)
	}
	if code, loc, body := status(t, u1, e.public+"/", "text/html"); code != 401 || !strings.Contains(body, "IdP compromised") {
		t.Fatalf("after the provider revocation: %s", describe(code, loc, body))
	}
}
