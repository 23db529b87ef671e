package gateway

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/policy"
)

// twoApps serves an admins-only app at /admin and a bypass app at /, on
// one upstream that records what it was asked for: the setting in which
// path confusion would hand /admin to the weaker policy.
func twoApps(t *testing.T) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 64)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Clone(), r.URL.Path, r.Host}
		http.SetCookie(w, &http.Cookie{Name: "vigil_session", Value: "planted"})
		http.SetCookie(w, &http.Cookie{Name: " __Host-vigil_session", Value: "planted"})
		http.SetCookie(w, &http.Cookie{Name: "app", Value: "kept"})
		io.WriteString(w, "ok")
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	admin, _ := policy.Compile([]config.Rule{{Name: "admins", Action: "allow", Include: []config.Selector{{Group: config.StringList{"admins"}}}}}, "a")
	pub, _ := policy.Compile([]config.Rule{{Name: "open", Action: "bypass", Include: []config.Selector{{Everyone: true}}}}, "p")
	g := New(Options{
		Routes: []*Route{
			{App: "admin", Prefix: "/admin", Upstream: u, Policy: admin},
			{App: "pub", Prefix: "/", Upstream: u, Policy: pub},
		},
		Sessions: &tableSessions{}, IsNoSession: func(error) bool { return true }, Minter: signedBy{},
		CookieName: "vigil_session", IsOurCookie: func(n string) bool { return n == "vigil_session" || n == "__Host-vigil_session" },
		AssertionHeader: "X-Vigil-Assertion", PublicURL: "http://gw", Transport: http.DefaultTransport,
		ClientIP: &ClientIP{}, Clock: time.Now,
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, got
}

// rawRequest sends target exactly as written (no client-side cleaning).
func rawRequest(t *testing.T, srv *httptest.Server, method, target string, extra string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	io.WriteString(conn, method+" "+target+" HTTP/1.1\r\nHost: gw\r\nAccept: application/json\r\n"+extra+"Connection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestPathConfusionNeverReachesTheWeakerApp(t *testing.T) {
	srv, got := twoApps(t)
	for _, target := range []string{
		"//admin/x", "/pub/../admin/x", "/%2e%2e/admin/x", "/pub%2F..%2Fadmin/x", "/./admin/x",
		"/admin;x", "/admin\\x", "/pub/%5c../admin", "/a/%2E/admin", "/x/..", "/x/.", "/%00admin",
	} {
		resp := rawRequest(t, srv, "GET", target, "")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: HTTP %d, want 400", target, resp.StatusCode)
		}
	}
	// Case variants meet the stricter app's policy: 401, not the bypass.
	for _, target := range []string{"/Admin/x", "/ADMIN", "/admin"} {
		if resp := rawRequest(t, srv, "GET", target, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s: HTTP %d, want 401 from the admin app's policy", target, resp.StatusCode)
		}
	}
	if resp := rawRequest(t, srv, "CONNECT", "gw:80", ""); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("CONNECT: HTTP %d, want 405", resp.StatusCode)
	}
	// net/http answers "OPTIONS *" itself; the check still refuses it
	// should a server ever pass it on.
	if reason := checkRequest(&http.Request{Method: "OPTIONS", Host: "gw", URL: &url.URL{Path: "*"}}); reason == "" {
		t.Error("OPTIONS * accepted")
	}
	// Legitimate paths still work, dots inside names included.
	for _, target := range []string{"/", "/docs/v1.2/index.html", "/.well-known/security.txt", "/a..b/c", "/q?x=../..;"} {
		if resp := rawRequest(t, srv, "GET", target, ""); resp.StatusCode != 200 {
			t.Errorf("GET %s: HTTP %d, want 200", target, resp.StatusCode)
		}
	}
	close(got)
	for s := range got {
		if strings.HasPrefix(strings.ToLower(s.path), "/admin") {
			t.Errorf("the bypass app was asked for %s", s.path)
		}
	}
}

func TestUpstreamCannotSetOurCookies(t *testing.T) {
	srv, _ := twoApps(t)
	resp, err := http.Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.Contains(c, "vigil_session") {
			t.Errorf("upstream set %q through the gateway", c)
		}
	}
	if !strings.Contains(strings.Join(resp.Header.Values("Set-Cookie"), ";"), "app=kept") {
		t.Error("the app's own cookie was dropped")
	}
}

func TestForgedAddressAndUnderscoreHeaders(t *testing.T) {
	srv, got := twoApps(t)
	rawRequest(t, srv, "GET", "/page", "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\n"+
		"X_Vigil_Assertion: forged\r\nX-Vigil_User: root\r\nx_vigil_email: root@example.com\r\n")
	s := <-got
	if xff := s.header.Get("X-Forwarded-For"); xff != "127.0.0.1" {
		t.Errorf("X-Forwarded-For upstream = %q, want only the peer 127.0.0.1", xff)
	}
	for _, h := range []string{"True-Client-Ip", "Forwarded"} {
		if v := s.header.Get(h); v != "" {
			t.Errorf("%s = %q reached the upstream", h, v)
		}
	}
	for k := range s.header {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(k, "_", "-")), "x-vigil-") {
			t.Errorf("client header %s reached the upstream", k)
		}
	}
}

func TestSameHeader(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"X-Vigil-Assertion", "x-vigil-assertion", true},
		{"X_Vigil_Assertion", "X-Vigil-Assertion", true},
		{"X-Vigil-Assertioo", "X-Vigil-Assertion", false},
		{"X@Vigil", "X`Vigil", false},
		{"X-Vigil", "X-Vigil-", false},
	}
	for _, tc := range cases {
		if got := sameHeader(tc.a, tc.b); got != tc.want {
			t.Errorf("sameHeader(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// FuzzRouting: whatever path the gateway accepts, it routes exactly as the
// cleaned path would be routed, so no upstream normalisation can move a
// request to another app.
func FuzzRouting(f *testing.F) {
	for _, s := range []string{"/", "/admin", "//admin", "/a/../admin", "/admin/./x", "/ADMIN", "/adminx", "/admin/", "/x;y", "/%2e"} {
		f.Add(s)
	}
	tab := NewTable([]*Route{{App: "admin", Prefix: "/admin"}, {App: "api", Prefix: "/api/v2/"}, {App: "root", Prefix: "/"}})
	f.Fuzz(func(t *testing.T, p string) {
		u, err := url.Parse(p)
		if err != nil || u.Opaque != "" || u.Host != "" {
			return
		}
		r := &http.Request{Method: "GET", Host: "gw", URL: u}
		if checkRequest(r) != "" {
			return
		}
		clean := path.Clean(u.Path)
		if strings.HasSuffix(u.Path, "/") && clean != "/" {
			clean += "/"
		}
		a, b := tab.Match("gw", u.Path), tab.Match("gw", clean)
		if a != b {
			t.Fatalf("%q routes to %s but its clean form %q to %s", p, a.App, clean, b.App)
		}
	})
}
