package server_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/testenv/nodeop"
)

// TestEndToEndWithNodeOIDCProvider runs the whole gateway against the
// certified Node OpenID Provider: a browser is sent to sign in, comes back
// to the URL it first asked for, and the upstream verifies the gateway's
// assertion; client-sent identity headers never reach the upstream; logout
// ends the provider's session too and the old cookie stops working. With
// CI set, a missing Node.js fails the test instead of skipping it.
func TestEndToEndWithNodeOIDCProvider(t *testing.T) {
	gwL := listenLoopback(t)
	public := publicURL(gwL)
	op := nodeop.Start(t, nodeop.Options{
		Clients: []nodeop.Client{{
			ID: "vigil", Secret: "node-client-secret",
			RedirectURIs:           []string{public + "/.vigil/callback"},
			PostLogoutRedirectURIs: []string{public + "/.vigil/signed-out"},
		}},
		Users: map[string]nodeop.User{"alice": {Name: "Alice Liddell", Groups: []string{"eng"}}},
	})
	up := newUpstream(t, public)
	cfg := gatewayConfig(public, filepath.Join(t.TempDir(), "vigil.db"), up.URL, []config.Provider{{
		Name: "node", Issuer: op.Issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "node-client-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"}, SigningAlgs: []string{"ES256"},
	}}, allowGroup("eng"))
	serve(t, gwL, cfg)

	alice := browser()
	opOrigin, _ := url.Parse(op.Issuer)

	// 1. Sign in: gateway -> /.vigil/login -> /.vigil/start -> the OP's login.
	page := get(t, alice, public+"/some/path?q=1", "text/html", nil)
	if page.Request.URL.Host != opOrigin.Host || page.StatusCode != http.StatusOK {
		page.Body.Close()
		t.Fatalf("expected the provider's login page, got HTTP %d at %s", page.StatusCode, page.Request.URL)
	}
	out, err := nodeop.Login(alice, page, "alice")
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	loc, err := out.Location()
	if err != nil || !strings.HasPrefix(loc.String(), public+"/.vigil/callback?") {
		t.Fatalf("the provider sent the browser to %v (%v), want the gateway's callback", loc, err)
	}
	resp := get(t, alice, loc.String(), "text/html", nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != public+"/some/path?q=1" {
		t.Fatalf("after sign-in: HTTP %d at %s, want 200 at %s/some/path?q=1:\n%s",
			resp.StatusCode, resp.Request.URL, public, body)
	}
	if !strings.Contains(body, `"request_uri":"/some/path?q=1"`) {
		t.Fatalf("the upstream did not see /some/path?q=1:\n%s", body)
	}

	// 2. The assertion verifies against the gateway's JWKS and says who.
	wantSub := session.UserID("node", "alice")
	check := func(when string, e echo) {
		t.Helper()
		if !e.Verified || e.Assertions != 1 {
			t.Fatalf("%s: assertion verified=%v (%d header values, error %q)", when, e.Verified, e.Assertions, e.Error)
		}
		c := e.Claims
		if c.Email != "alice@example.com" || !slices.Equal(c.Groups, []string{"eng"}) || c.Subject != wantSub ||
			c.IdP != "node" || c.IdPSub != "alice" || c.Issuer != public || !slices.Equal(c.Aud, []string{appName}) {
			t.Fatalf("%s: claims %+v, want alice@example.com, [eng], sub %s, idp node/alice, iss %s, aud %s",
				when, c, wantSub, public, appName)
		}
		if len(e.Others) != 0 {
			t.Fatalf("%s: the upstream received client identity headers %v", when, e.Others)
		}
	}
	code, e := getEcho(t, alice, public+"/api/whoami", nil)
	if code != http.StatusOK {
		t.Fatalf("API call after sign-in: HTTP %d", code)
	}
	check("signed in", e)

	// 3. Spoofed identity headers from the signed-in client never arrive;
	// the upstream sees only the gateway's assertion, which verifies.
	spoof := http.Header{
		"X-Vigil-Assertion": {"eyJhbGciOiJub25lIn0.eyJlbWFpbCI6Im1hbGxvcnlAZXZpbC5leGFtcGxlIn0."},
		"X-Vigil-User":      {"mallory@evil.example"},
		"X-Vigil-Groups":    {"admins"},
	}
	code, e = getEcho(t, alice, public+"/api/whoami", spoof)
	if code != http.StatusOK {
		t.Fatalf("API call with spoofed headers: HTTP %d", code)
	}
	check("spoofed headers", e)
	// An anonymous client's spoofed assertion gets it nowhere either.
	before := up.hits.Load()
	if code, _ := getEcho(t, browser(), public+"/api/whoami", spoof); code != http.StatusUnauthorized {
		t.Fatalf("anonymous call with a spoofed assertion: HTTP %d, want 401", code)
	}
	if up.hits.Load() != before {
		t.Fatal("an anonymous request reached the upstream")
	}

	// 4. Logout goes through the provider's end_session and back.
	var sessionCookie *http.Cookie
	gwURL, _ := url.Parse(public)
	for _, c := range alice.Jar.Cookies(gwURL) {
		if c.Name == cfg.Session.CookieName {
			sessionCookie = c
		}
	}
	if sessionCookie == nil {
		t.Fatalf("no %s cookie in the browser after sign-in", cfg.Session.CookieName)
	}
	// GET /.vigil/logout only asks (logout CSRF); its form POSTs.
	confirm := get(t, alice, public+"/.vigil/logout", "text/html", nil)
	if body := readBody(t, confirm); confirm.StatusCode != http.StatusOK || !strings.Contains(body, `method="post"`) {
		t.Fatalf("logout confirmation page: HTTP %d", confirm.StatusCode)
	}
	page, err = alice.PostForm(public+"/.vigil/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	if page.Request.URL.Host != opOrigin.Host {
		page.Body.Close()
		t.Fatalf("logout ended at %s (HTTP %d), want the provider's end_session page", page.Request.URL, page.StatusCode)
	}
	out, err = nodeop.Logout(alice, page)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	loc, err = out.Location()
	if err != nil || !strings.HasPrefix(loc.String(), public+"/.vigil/signed-out") {
		t.Fatalf("the provider sent the browser to %v (%v) after logout, want the gateway's signed-out page", loc, err)
	}
	if resp := get(t, alice, loc.String(), "text/html", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed-out page: HTTP %d", resp.StatusCode)
	} else {
		resp.Body.Close()
	}

	// 5. Afterwards the API gets 401, and so does a replay of the old
	// cookie: the session was revoked, not just forgotten by the browser.
	if code, _ := getEcho(t, alice, public+"/api/whoami", nil); code != http.StatusUnauthorized {
		t.Fatalf("API call after logout: HTTP %d, want 401", code)
	}
	replay := browser()
	replay.Jar.SetCookies(gwURL, []*http.Cookie{{Name: sessionCookie.Name, Value: sessionCookie.Value}})
	if code, _ := getEcho(t, replay, public+"/api/whoami", nil); code != http.StatusUnauthorized {
		t.Fatalf("replayed session cookie after logout: HTTP %d, want 401", code)
	}
	// The provider's session ended too: signing in again shows its login form.
	page = get(t, alice, public+"/some/path", "text/html", nil)
	page.Body.Close()
	if page.Request.URL.Host != opOrigin.Host {
		t.Fatalf("after logout, a new sign-in ended at %s without the provider asking", page.Request.URL)
	}
}
