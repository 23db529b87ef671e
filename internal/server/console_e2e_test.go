package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
)

// consoleAdminToken lets the test raise a risk factor through the JSON API
// (the console has no raise form yet); the console itself never uses it.
const consoleAdminToken = "console-test-admin-token-0123456789"

// startConsole is startDemo with the console on for the "admins" group
// (alice) and an app every demo user may use.
func startConsole(t *testing.T) *demoEnv {
	t.Helper()
	e, gwL := newDemoEnv(t, "demo-client-secret-for-console-tests", nil)
	cfg := e.config(append(allowGroup("engineering"), allowGroup("sales")...))
	cfg.Admin.Console.Group = "admins"
	cfg.Admin.Token = config.Secret{Value: consoleAdminToken}
	e.srv = serve(t, gwL, cfg)
	return e
}

var (
	csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	keyRE  = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// postConsole submits a console form without following the redirect.
func postConsole(t *testing.T, c *http.Client, u string, form url.Values, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noFollow(c).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func checkConsoleHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

func TestConsole(t *testing.T) {
	e := startConsole(t)
	base := e.public + "/.vigil/console"

	// No session: to the gateway's sign-in, coming back to this page.
	resp := get(t, noFollow(browser()), base+"/sessions?user=bob%40example.com", "text/html", nil)
	readBody(t, resp)
	wantLoc := "/.vigil/login?" + url.Values{"rd": {"/.vigil/console/sessions?user=bob%40example.com"}}.Encode()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != wantLoc {
		t.Fatalf("no session: HTTP %d to %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), wantLoc)
	}
	checkConsoleHeaders(t, "redirect to sign-in", resp.Header)

	// Bob is signed in but not an admin.
	bob := browser()
	readBody(t, signInDemo(t, bob, e.public+"/", "bob"))
	resp = get(t, bob, base+"/", "text/html", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `group &#34;admins&#34;`) {
		t.Fatalf("non-admin: HTTP %d, want 403 naming the group:\n%s", resp.StatusCode, body)
	}
	checkConsoleHeaders(t, "403", resp.Header)
	if code, _ := getEcho(t, bob, e.public+"/", nil); code != http.StatusOK {
		t.Fatalf("bob's app request before any revocation: HTTP %d", code)
	}

	// Alice signs in at the console itself and lands back on it.
	alice := browser()
	resp = signInDemo(t, alice, base+"/", "alice")
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/.vigil/console/" || !strings.Contains(body, "live sessions") {
		t.Fatalf("admin sign-in ended at HTTP %d %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	resp = get(t, alice, base+"/sessions?user=bob%40example.com", "text/html", nil)
	page := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "bob@example.com") || strings.Contains(page, "alice@example.com</a>") {
		t.Fatalf("sessions filtered to bob: HTTP %d:\n%s", resp.StatusCode, page)
	}
	checkConsoleHeaders(t, "sessions page", resp.Header)

	// The users list: both users signed in; a query narrows it.
	resp = get(t, alice, base+"/users", "text/html", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, ">bob@example.com</a>") || !strings.Contains(body, ">alice@example.com</a>") {
		t.Errorf("users: HTTP %d:\n%s", resp.StatusCode, body)
	}
	resp = get(t, alice, base+"/users?q=bob", "text/html", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, ">bob@example.com</a>") || strings.Contains(body, ">alice@example.com</a>") {
		t.Errorf("users?q=bob: HTTP %d:\n%s", resp.StatusCode, body)
	}
	if strings.Contains(page, "<script") {
		t.Error("the sessions page has a script")
	}
	csrf, key := csrfRE.FindStringSubmatch(page), keyRE.FindStringSubmatch(page)
	if csrf == nil || key == nil {
		t.Fatalf("no revoke form on the sessions page:\n%s", page)
	}
	revoke := url.Values{"csrf": {csrf[1]}, "scope": {"session"}, "key": {key[1]}, "reason": {"console test"}}
	sameSite := map[string]string{"Origin": e.public, "Sec-Fetch-Site": "same-origin"}

	alice2 := browser()
	readBody(t, signInDemo(t, alice2, e.public+"/", "alice"))

	// Refused: no token, a wrong token, another site. Bob is still served.
	without := url.Values{"scope": {"session"}, "key": {key[1]}, "reason": {"x"}}
	wrong := url.Values{"csrf": {strings.Repeat("A", len(csrf[1]))}, "scope": {"session"}, "key": {key[1]}, "reason": {"x"}}
	for name, tc := range map[string]struct {
		form url.Values
		hdr  map[string]string
	}{
		"no token":            {without, sameSite},
		"wrong token":         {wrong, sameSite},
		"other origin":        {revoke, map[string]string{"Origin": "http://evil.example"}},
		"cross-site fetch":    {revoke, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		"same-site, not ours": {revoke, map[string]string{"Sec-Fetch-Site": "same-site"}},
		"origin without port": {revoke, map[string]string{"Origin": "http://127.0.0.1"}},
		"another session's":   {revoke, sameSite}, // alice again, in another browser: her token differs
	} {
		c := alice
		if name == "another session's" {
			c = alice2
		}
		resp := postConsole(t, c, base+"/sessions/revoke", tc.form, tc.hdr)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: HTTP %d, want 403:\n%s", name, resp.StatusCode, body)
		}
		checkConsoleHeaders(t, name, resp.Header)
	}
	if code, _ := getEcho(t, bob, e.public+"/", nil); code != http.StatusOK {
		t.Fatalf("bob's app request after refused revocations: HTTP %d", code)
	}

	// The real form: revoked, and bob's next request is denied.
	resp = postConsole(t, alice, base+"/sessions/revoke", revoke, sameSite)
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/.vigil/console/sessions?revoked=1" {
		t.Fatalf("revoke: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code, _ := getEcho(t, bob, e.public+"/", nil); code == http.StatusOK {
		t.Fatal("bob's session still serves after the console revoked it")
	}
	resp = get(t, alice, base+"/sessions?revoked=1", "text/html", nil)
	if body := readBody(t, resp); !strings.Contains(body, "Revoked 1 session.") || strings.Contains(body, "bob@example.com") {
		t.Errorf("sessions after the revocation:\n%s", body)
	}
	if code, _ := getEcho(t, alice, e.public+"/", nil); code != http.StatusOK {
		t.Errorf("alice's own session: HTTP %d", code)
	}

	// A risk factor (raised through the JSON API), seen on bob's page
	// and reset from it; the audit's actor is alice.
	req, _ := http.NewRequest(http.MethodPost, e.public+"/.vigil/admin/api/users/bob@example.com/risk/raise",
		strings.NewReader(`{"severity": 50, "reason": "console test factor"}`))
	req.Header.Set("Authorization", "Bearer "+consoleAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("raise: HTTP %d: %s", resp.StatusCode, body)
	}
	resp = get(t, alice, base+"/users?who=bob%40example.com", "text/html", nil)
	page = readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/.vigil/console/users/demo:") ||
		!strings.Contains(page, "console test factor") || !strings.Contains(page, `<span class="state active">active</span>`) {
		t.Fatalf("bob's page: HTTP %d at %s:\n%s", resp.StatusCode, resp.Request.URL, page)
	}
	bobPage := resp.Request.URL.String()
	reset := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "reason": {"checked with bob"}}
	resp = postConsole(t, alice, bobPage+"/risk/reset", url.Values{"reason": {"no token"}}, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("reset without a token: HTTP %d", resp.StatusCode)
	}
	resp = postConsole(t, alice, bobPage+"/risk/reset", url.Values{"csrf": reset["csrf"]}, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reset without a reason: HTTP %d, want 400", resp.StatusCode)
	}
	resp = postConsole(t, alice, bobPage+"/risk/reset", reset, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != resp.Request.URL.Path[:len(resp.Request.URL.Path)-len("/risk/reset")]+"?reset=1" {
		t.Fatalf("reset: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = get(t, alice, bobPage+"?reset=1", "text/html", nil)
	page = readBody(t, resp)
	for _, want := range []string{"Risk reset", `<span class="state cleared">cleared</span>`, "by console:alice@example.com", `<span class="level low">low</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("bob's page after the reset lacks %q:\n%s", want, page)
		}
	}
}
