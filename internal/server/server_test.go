package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
)

// TestWarmSessionMakesNoStoreQueries holds the hot-path promise: once a
// session is cached, requests touch no database.
func TestWarmSessionMakesNoStoreQueries(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	alice := browser()
	resp := signInDemo(t, alice, env.public+"/warm", "alice")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	before := storeQueries(t, env.srv)
	if before == 0 {
		t.Fatal("signing in counted no store queries: the metric is not wired")
	}
	for i := range 50 {
		code, e := getEcho(t, alice, env.public+"/api/item?i="+string(rune('a'+i%26)), nil)
		if code != http.StatusOK || !e.Verified {
			t.Fatalf("request %d: HTTP %d verified=%v %s", i, code, e.Verified, e.Error)
		}
	}
	if after := storeQueries(t, env.srv); after != before {
		t.Fatalf("50 requests with a warm session made %v store queries, want 0", after-before)
	}
}

// TestReload: a new policy applies to the next request; a configuration
// that fails to compile, or that changes what needs a restart, is refused
// and the running one keeps working.
func TestReload(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	ctx := context.Background()
	alice := browser()
	resp := signInDemo(t, alice, env.public+"/", "alice")
	resp.Body.Close()
	expect := func(when string, want int) {
		t.Helper()
		if code, _ := getEcho(t, alice, env.public+"/api/x", nil); code != want {
			t.Fatalf("%s: HTTP %d, want %d", when, code, want)
		}
	}
	expect("before any reload", http.StatusOK)

	bad := env.config([]config.Rule{{Name: "broken", Action: "allow",
		Include: []config.Selector{{CEL: `user.groups.exists(g, g ==`}}}})
	if err := env.srv.Reload(ctx, bad); err == nil || !strings.Contains(err.Error(), "apps[0].policies") {
		t.Fatalf("Reload with a policy that does not compile: err = %v, want an error naming apps[0].policies", err)
	}
	expect("after a failed reload", http.StatusOK)

	if err := env.srv.Reload(ctx, env.config(allowGroup("sales"))); err != nil {
		t.Fatalf("Reload with a new policy: %v", err)
	}
	expect("after reloading a policy alice fails", http.StatusForbidden)
	if err := env.srv.Reload(ctx, env.config(allowGroup("engineering"))); err != nil {
		t.Fatalf("Reload with a new policy: %v", err)
	}
	expect("after reloading a policy alice passes", http.StatusOK)

	fixed := []struct {
		name   string
		mutate func(*config.Config)
	}{
		{"store dsn", func(c *config.Config) { c.Store.DSN = filepath.Join(t.TempDir(), "other.db") }},
		{"session secret", func(c *config.Config) { c.Session.Secret = config.Secret{Value: strings.Repeat("s", 48)} }},
		{"session cookie name", func(c *config.Config) { c.Session.CookieName = "other_session" }},
		{"session idle timeout", func(c *config.Config) { c.Session.IdleTimeout = config.Duration(2 * time.Hour) }},
		{"session absolute timeout", func(c *config.Config) { c.Session.AbsoluteTimeout = config.Duration(24 * time.Hour) }},
	}
	for _, tc := range fixed {
		t.Run(tc.name, func(t *testing.T) {
			// A policy change rides along: it must not apply either.
			c := env.config(allowGroup("sales"))
			tc.mutate(c)
			if err := c.Validate(); err != nil {
				t.Fatalf("the changed configuration must be valid on its own: %v", err)
			}
			err := env.srv.Reload(ctx, c)
			if err == nil || !strings.Contains(err.Error(), "restart") {
				t.Fatalf("Reload changing %s: err = %v, want an error saying it needs a restart", tc.name, err)
			}
			if code, _ := getEcho(t, alice, env.public+"/api/x", nil); code != http.StatusOK {
				t.Fatalf("after a refused reload: HTTP %d, want 200 from the running policy", code)
			}
			if got := env.srv.Config(); got.Store.DSN != env.dbPath || got.Session.CookieName != "vigil_session" ||
				got.Session.CookieDomain != "" {
				t.Fatalf("Config() changed after a refused reload: %+v", got.Session)
			}
		})
	}
}

// TestReloadRefusesCookieDomainChange: session.cookie_domain is baked into
// the session manager at start (server/sessions.go), so a reload changing it
// must be refused like the other session settings. Accepting it leaves
// cookies on the old domain while validation, Config() and the sign-in
// return-host list believe the new one: users of an app host added with it
// never carry a session.
func TestReloadRefusesCookieDomainChange(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	c := env.config(allowGroup("sales"))
	c.Session.CookieDomain = "127.0.0.1"
	if err := c.Validate(); err != nil {
		t.Fatalf("the changed configuration must be valid on its own: %v", err)
	}
	if err := env.srv.Reload(context.Background(), c); err == nil || !strings.Contains(err.Error(), "restart") {
		t.Fatalf("Reload changing session.cookie_domain: err = %v, want an error saying it needs a restart", err)
	}
	if got := env.srv.Config().Session.CookieDomain; got != "" {
		t.Fatalf("Config().Session.CookieDomain = %q after a refused reload, want the running \"\"", got)
	}
}

// TestReloadUnderLoad swaps policies while requests run, for the race
// detector: every request sees one whole state, old or new.
func TestReloadUnderLoad(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	alice := browser()
	resp := signInDemo(t, alice, env.public+"/", "alice")
	resp.Body.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for i := 0; ctx.Err() == nil; i++ {
			pol := allowGroup("admins")
			if i%2 == 1 {
				pol = allowGroup("engineering")
			}
			if err := env.srv.Reload(ctx, env.config(pol)); err != nil && ctx.Err() == nil {
				errc <- err
				return
			}
		}
	}()
	for i := range 40 {
		if code, e := getEcho(t, alice, env.public+"/api/load", nil); code != http.StatusOK || !e.Verified {
			t.Fatalf("request %d during reloads: HTTP %d verified=%v", i, code, e.Verified)
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Reload during load: %v", err)
	}
}

// TestClientIdentityHeadersNeverReachUpstream tries the ways a client could
// smuggle identity headers past the gateway, or knock out the real one.
func TestClientIdentityHeadersNeverReachUpstream(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	alice := browser()
	resp := signInDemo(t, alice, env.public+"/", "alice")
	resp.Body.Close()
	forged := "eyJhbGciOiJub25lIiwidHlwIjoidmlnaWwtYXNzZXJ0aW9uK2p3dCJ9.eyJlbWFpbCI6Im1hbGxvcnlAZXZpbC5leGFtcGxlIn0."
	tests := []struct {
		name string
		hdr  http.Header
	}{
		{"assertion", http.Header{"X-Vigil-Assertion": {forged}}},
		{"two assertions", http.Header{"X-Vigil-Assertion": {forged, forged}}},
		{"non-canonical case", http.Header{"x-vigil-assertion": {forged}, "x-VIGIL-user": {"mallory"}}},
		{"other vigil headers", http.Header{"X-Vigil-User": {"mallory"}, "X-Vigil-Email": {"mallory@evil.example"}, "X-Vigil-Groups": {"admins"}}},
		// Naming the assertion hop-by-hop must not strip the gateway's own.
		{"connection names the assertion", http.Header{"Connection": {"X-Vigil-Assertion"}, "X-Vigil-Assertion": {forged}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, e := getEcho(t, alice, env.public+"/api/spoof", tc.hdr)
			if code != http.StatusOK {
				t.Fatalf("HTTP %d", code)
			}
			if e.Assertions != 1 || !e.Verified || e.Claims.Email != "alice@example.com" {
				t.Fatalf("upstream saw %d assertions, verified=%v (%s), email %q; want only the gateway's, for alice",
					e.Assertions, e.Verified, e.Error, e.Claims.Email)
			}
			if len(e.Others) != 0 {
				t.Fatalf("client identity headers reached the upstream: %v", e.Others)
			}
		})
	}
}

// TestHealthAndReadiness: liveness always answers; readiness names a
// provider whose issuer is unreachable, and the server starts without it.
func TestHealthAndReadiness(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	c := browser()
	for _, p := range []string{"/healthz", "/readyz"} {
		resp := get(t, c, env.public+p, "*/*", nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
			t.Errorf("%s with the provider up: HTTP %d:\n%s", p, resp.StatusCode, body)
		}
	}

	gwL := listenLoopback(t)
	public := publicURL(gwL)
	up := newUpstream(t, public)
	cfg := gatewayConfig(public, filepath.Join(t.TempDir(), "vigil.db"), up.URL, []config.Provider{{
		Name: "offline-idp", Issuer: "http://" + closedPort(t), ClientID: "vigil",
	}}, allowGroup("admins"))
	serve(t, gwL, cfg) // must start with the provider down

	resp := get(t, c, public+"/healthz", "*/*", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz with the provider down: HTTP %d:\n%s", resp.StatusCode, body)
	}
	resp = get(t, c, public+"/readyz", "*/*", nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "offline-idp") {
		t.Errorf("/readyz with the provider down: HTTP %d, want 503 naming offline-idp:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, "store") {
		t.Errorf("/readyz blames the store, which is up:\n%s", body)
	}
}

// TestJWKS: the key set is public, holds an ES256 verification key and no
// private key material.
func TestJWKS(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	resp := get(t, browser(), env.public+"/.well-known/vigil/jwks.json", "application/json", nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JWKS: HTTP %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("JWKS is not JSON: %v\n%s", err, body)
	}
	for _, k := range raw.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Fatalf("JWKS publishes private parameter %q", private)
			}
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("JWKS does not parse as a key set: %v", err)
	}
	es256 := 0
	for _, k := range set.Keys {
		if k.Algorithm == string(jose.ES256) && k.IsPublic() && k.Valid() && k.KeyID != "" && k.Use == "sig" {
			es256++
		}
	}
	if es256 == 0 {
		t.Fatalf("JWKS holds no public ES256 signing key with a kid:\n%s", body)
	}
}

// TestOpenRedirectRefused drives the sign-in page's return URL through the
// whole server: nothing but the gateway's own URLs may come back.
func TestOpenRedirectRefused(t *testing.T) {
	env := startDemo(t, allowGroup("admins"))
	c := noFollow(browser())
	pub, _ := url.Parse(env.public)
	bad := []string{
		"https://evil.example/",
		"//evil.example/",
		`/\evil.example`,
		"javascript:alert(1)",
		"/\t/evil.example",
		"http:evil.example",
		"https://evil.example@" + pub.Host + "/",
		"http://" + pub.Hostname() + ":1/", // another service on the gateway's host
		"http://evil.example%2F@" + pub.Host,
	}
	for _, rd := range bad {
		for _, path := range []string{"/.vigil/login?rd=", "/.vigil/start?provider=demo&rd="} {
			resp := get(t, c, env.public+path+url.QueryEscape(rd), "text/html", nil)
			body := readBody(t, resp)
			loc := resp.Header.Get("Location")
			if resp.StatusCode < 400 || resp.StatusCode > 499 || loc != "" {
				t.Errorf("%s%q: HTTP %d Location %q, want a 4xx refusal without a redirect", path, rd, resp.StatusCode, loc)
			}
			if strings.Contains(strings.ToLower(body), "evil") {
				t.Errorf("%s%q: the refusal page repeats the hostile target:\n%s", path, rd, body)
			}
		}
	}

	// The guard is not simply refusing everything: the gateway's own URLs pass.
	for _, rd := range []string{"/some/path?q=1", env.public + "/some/path"} {
		resp := get(t, c, env.public+"/.vigil/login?rd="+url.QueryEscape(rd), "text/html", nil)
		resp.Body.Close()
		loc, err := resp.Location()
		if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Host != pub.Host || loc.Path != "/.vigil/start" ||
			loc.Query().Get("rd") != rd {
			t.Errorf("login with rd %q: HTTP %d Location %v, want 303 to /.vigil/start carrying it", rd, resp.StatusCode, loc)
		}
	}
}
