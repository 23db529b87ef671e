package quickstart

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/demoidp"
)

// startQuickstart runs the whole quickstart on free ports and returns its
// endpoints and the audit output.
func startQuickstart(t *testing.T) (Endpoints, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan Endpoints, 1)
	done := make(chan error, 1)
	var out strings.Builder
	audit := &syncBuffer{}
	go func() {
		done <- Run(ctx, Options{Listen: "127.0.0.1:0", IdPListen: "127.0.0.1:0", DataDir: t.TempDir(),
			Out: &out, AuditWriter: audit, Ready: func(e Endpoints) { ready <- e }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("quickstart ended with %v", err)
		}
	})
	select {
	case ep := <-ready:
		for _, prefix := range []string{"app: http://", "idp: http://localhost:", "jwks: http://", "health: http://"} {
			if !strings.Contains(out.String(), "\n"+prefix) && !strings.HasPrefix(out.String(), prefix) {
				t.Errorf("quickstart output lacks a %q line:\n%s", prefix, out.String())
			}
		}
		return ep, audit
	case err := <-done:
		t.Fatalf("quickstart failed to start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("quickstart did not start in 20s")
	}
	return Endpoints{}, nil
}

func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// signIn opens url as a browser and signs in at the demo IdP.
func signIn(t *testing.T, c *http.Client, url, user string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/html")
	page, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Request.URL.Path, "/login") {
		t.Fatalf("expected the IdP's login page, got %s", page.Request.URL)
	}
	resp, err := demoidp.SubmitLogin(c, page, user, user+"-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func getJSON(t *testing.T, c *http.Client, url string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

type whoami struct {
	Verified bool           `json:"verified"`
	Error    string         `json:"error"`
	Claims   map[string]any `json:"claims"`
}

func TestQuickstartEndToEnd(t *testing.T) {
	ep, audit := startQuickstart(t)
	app := strings.TrimSuffix(ep.App, "/")

	alice := browser()
	resp := signIn(t, alice, app+"/?x=1", "alice")
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.String() != app+"/?x=1" {
		t.Fatalf("after sign-in: HTTP %d at %s, want 200 at the URL first asked for", resp.StatusCode, resp.Request.URL)
	}
	var w whoami
	if code := getJSON(t, alice, app+"/api/whoami", &w); code != 200 || !w.Verified {
		t.Fatalf("whoami: HTTP %d %+v", code, w)
	}
	if w.Claims["email"] != "alice@example.com" || w.Claims["aud"] == nil {
		t.Errorf("assertion claims = %v", w.Claims)
	}
	if code := getJSON(t, alice, app+"/admin/api/whoami", &w); code != 200 || !w.Verified {
		t.Errorf("alice at /admin: HTTP %d %+v", code, w)
	}

	// Carol is a contractor: denied with a named reason, never proxied.
	carol := browser()
	resp = signIn(t, carol, app+"/", "carol")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "denied-by:no-contractors") {
		t.Errorf("carol: HTTP %d, want 403 naming denied-by:no-contractors:\n%s", resp.StatusCode, body)
	}
	// Bob is an employee but not an admin.
	bob := browser()
	resp = signIn(t, bob, app+"/", "bob")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("bob at /: HTTP %d", resp.StatusCode)
	}
	if code := getJSON(t, bob, app+"/admin/", nil); code != 403 {
		t.Errorf("bob at /admin: HTTP %d, want 403", code)
	}
	// The console: alice (admins) sees it, bob is told which group he lacks.
	resp, err := alice.Get(app + "/.vigil/console/sessions")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "alice@example.com") {
		t.Errorf("alice at the console: HTTP %d:\n%.300s", resp.StatusCode, body)
	}
	resp, err = bob.Get(app + "/.vigil/console/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "admins") {
		t.Errorf("bob at the console: HTTP %d, want 403 naming the group:\n%.300s", resp.StatusCode, body)
	}

	// Bypass: anyone, no identity forwarded.
	anon := browser()
	if code := getJSON(t, anon, app+"/public/api/whoami", &w); code != 401 || w.Verified {
		t.Errorf("anonymous at /public: HTTP %d verified=%v; want the app to see no assertion", code, w.Verified)
	}
	if code := getJSON(t, anon, app+"/api/whoami", nil); code != 401 {
		t.Errorf("anonymous API call: HTTP %d, want 401", code)
	}

	// Logout ends the session: the next request must sign in again.
	resp, err = alice.PostForm(app+"/.vigil/logout", nil) // GET only shows the confirmation page
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := getJSON(t, alice, app+"/api/whoami", nil); code != 401 {
		t.Errorf("after logout: HTTP %d, want 401", code)
	}

	// Every decision left an audit record.
	time.Sleep(1200 * time.Millisecond) // the audit log flushes every second
	var decisions int
	sc := bufio.NewScanner(strings.NewReader(audit.String()))
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["kind"] == "decision" {
			decisions++
		}
	}
	if decisions < 8 {
		t.Errorf("audit holds %d decision records, want at least 8:\n%s", decisions, audit.String())
	}
}
