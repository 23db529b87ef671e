package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/store"
)

var errNoSession = errors.New("no session")

// tableSessions is an in-memory session lookup: the gateway's contract is
// only "cookie value -> session or ErrNoSession or failure".
type tableSessions struct {
	byCookie map[string]*store.Session
	fail     error
}

func (t *tableSessions) Lookup(_ context.Context, c string) (*store.Session, error) {
	if t.fail != nil {
		return nil, t.fail
	}
	if s, ok := t.byCookie[c]; ok {
		return s, nil
	}
	return nil, errNoSession
}

// signedBy is a Minter that produces a recognisable token.
type signedBy struct{}

func (signedBy) Mint(s *store.Session, app string, _ time.Time) (string, error) {
	return "assertion-for:" + s.Identity.Email + ":" + app, nil
}

type seen struct {
	header http.Header
	path   string
	host   string
}

func newTestGateway(t *testing.T, rules []config.Rule, sessions *tableSessions) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 10)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Clone(), r.URL.Path, r.Host}
		io.WriteString(w, "upstream ok")
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	pol, err := policy.Compile(rules, "apps[0].policies")
	if err != nil {
		t.Fatal(err)
	}
	g := New(Options{
		Routes:          []*Route{{App: "wiki", Prefix: "/", Upstream: u, Policy: pol}},
		Sessions:        sessions,
		IsNoSession:     func(err error) bool { return errors.Is(err, errNoSession) },
		Minter:          signedBy{},
		CookieName:      "vigil_session",
		IsOurCookie:     func(n string) bool { return n == "vigil_session" || strings.HasPrefix(n, "vigil_login") },
		AssertionHeader: "X-Vigil-Assertion",
		PublicURL:       "https://vigil.example.com",
		Transport:       http.DefaultTransport,
		ClientIP:        &ClientIP{},
		Clock:           time.Now,
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, got
}

var alice = &store.Session{ID: "s1", UserID: "corp:alice", Identity: identity.Identity{Subject: "alice", Email: "alice@example.com", EmailVerified: true, Provider: "corp", Groups: []string{"eng"}}}

func allowExample() []config.Rule {
	return []config.Rule{
		{Name: "public", Action: "bypass", Include: []config.Selector{{Everyone: true}}, Require: []config.Selector{{CEL: `request.ip == "203.0.113.9"`}}},
		{Name: "staff", Action: "allow", Include: []config.Selector{{EmailDomain: config.StringList{"example.com"}}}},
	}
}

func noRedirects(c *http.Client) *http.Client {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func TestSpoofedIdentityHeadersNeverReachUpstream(t *testing.T) {
	srv, got := newTestGateway(t, allowExample(), &tableSessions{byCookie: map[string]*store.Session{"good": alice}})
	req, _ := http.NewRequest("GET", srv.URL+"/page", nil)
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
	req.AddCookie(&http.Cookie{Name: "app_pref", Value: "dark"})
	req.Header.Set("X-Vigil-Assertion", "forged")
	req.Header.Set("X-Vigil-User", "root@example.com")
	req.Header["x-vigil-email"] = []string{"lower@example.com"}
	req.Header.Set("Connection", "X-Vigil-Assertion")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := <-got
	if v := s.header.Values("X-Vigil-Assertion"); len(v) != 1 || v[0] != "assertion-for:alice@example.com:wiki" {
		t.Errorf("assertion header upstream = %q, want only the gateway's", v)
	}
	for k := range s.header {
		if strings.HasPrefix(strings.ToLower(k), "x-vigil-") && k != "X-Vigil-Assertion" {
			t.Errorf("client header %s reached the upstream", k)
		}
	}
	if c := s.header.Get("Cookie"); strings.Contains(c, "vigil_session") || !strings.Contains(c, "app_pref=dark") {
		t.Errorf("Cookie upstream = %q: want app cookies kept and Vigil's removed", c)
	}
}

func TestUnauthenticated(t *testing.T) {
	srv, got := newTestGateway(t, allowExample(), &tableSessions{})
	c := noRedirects(srv.Client())
	cases := []struct {
		name       string
		method     string
		header     map[string]string
		wantStatus int
	}{
		{"browser redirected", "GET", map[string]string{"Accept": "text/html"}, http.StatusFound},
		{"json client gets 401", "GET", map[string]string{"Accept": "application/json"}, http.StatusUnauthorized},
		{"bearer client gets 401", "GET", map[string]string{"Authorization": "Bearer abc"}, http.StatusUnauthorized},
		{"POST gets 401", "POST", nil, http.StatusUnauthorized},
		{"forged assertion alone gets nothing", "GET", map[string]string{"X-Vigil-Assertion": "forged", "Accept": "application/json"}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+"/docs/a?x=1", nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			switch tc.wantStatus {
			case http.StatusFound:
				loc := resp.Header.Get("Location")
				// Return URLs take the public URL's scheme: behind a TLS
				// terminator the request itself arrives as plain HTTP.
				want := "https://vigil.example.com/.vigil/login?rd=" + url.QueryEscape("https://"+req.URL.Host+"/docs/a?x=1")
				if loc != want {
					t.Errorf("Location = %q, want %q", loc, want)
				}
			case http.StatusUnauthorized:
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			}
		})
	}
	select {
	case s := <-got:
		t.Fatalf("an unauthenticated request reached the upstream: %v", s.path)
	default:
	}
}

func TestDeniedShowsReasonsAndStoreFailureFailsClosed(t *testing.T) {
	mallory := &store.Session{ID: "s2", Identity: identity.Identity{Subject: "m", Email: "m@evil.example", Provider: "corp"}}
	sessions := &tableSessions{byCookie: map[string]*store.Session{"m": mallory}}
	srv, got := newTestGateway(t, allowExample(), sessions)
	get := func() *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.Header.Set("Accept", "application/json")
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "m"})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(body), "no-rule-matched") {
		t.Fatalf("got %d %s, want 403 naming no-rule-matched", resp.StatusCode, body)
	}
	sessions.fail = errors.New("database is locked")
	resp = get()
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || strings.Contains(string(body), "locked") {
		t.Fatalf("store failure: got %d %s, want 503 without internal detail", resp.StatusCode, body)
	}
	select {
	case <-got:
		t.Fatal("a denied request reached the upstream")
	default:
	}
}

func TestStreamingAndWebSocketPassThrough(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "websocket" {
			if r.Header.Get("X-Vigil-Assertion") == "" {
				http.Error(w, "no assertion", 400)
				return
			}
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			brw.Flush()
			line, _ := brw.ReadString('\n')
			brw.WriteString("echo:" + line)
			brw.Flush()
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			io.WriteString(w, "data: tick\n\n")
			http.NewResponseController(w).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	pol, _ := policy.Compile(allowExample(), "p")
	g := New(Options{Routes: []*Route{{App: "wiki", Prefix: "/", Upstream: u, Policy: pol}},
		Sessions: &tableSessions{byCookie: map[string]*store.Session{"good": alice}}, IsNoSession: func(error) bool { return true },
		Minter: signedBy{}, CookieName: "vigil_session", IsOurCookie: func(string) bool { return false },
		AssertionHeader: "X-Vigil-Assertion", PublicURL: "http://x", Transport: http.DefaultTransport,
		ClientIP: &ClientIP{}, Clock: time.Now})
	srv := httptest.NewServer(g)
	defer srv.Close()

	// Streaming: the first event arrives before the response ends.
	req, _ := http.NewRequest("GET", srv.URL+"/events", nil)
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if line, _ := br.ReadString('\n'); line != "data: tick\n" {
		t.Fatalf("first streamed line = %q", line)
	}
	resp.Body.Close()

	// WebSocket-style upgrade: the tunnel carries bytes both ways.
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nCookie: vigil_session=good\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	cr := bufio.NewReader(conn)
	wsResp, err := http.ReadResponse(cr, nil)
	if err != nil || wsResp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", wsResp, err)
	}
	io.WriteString(conn, "hello\n")
	if line, _ := cr.ReadString('\n'); line != "echo:hello\n" {
		t.Fatalf("tunnel echo = %q", line)
	}
}

func TestBypassForwardsNoIdentity(t *testing.T) {
	rules := []config.Rule{{Name: "open", Action: "bypass", Include: []config.Selector{{Everyone: true}}}}
	srv2, got2 := newTestGateway(t, rules, &tableSessions{byCookie: map[string]*store.Session{"good": alice}})
	req, _ := http.NewRequest("GET", srv2.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
	req.Header.Set("X-Vigil-Assertion", "forged")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-got2
	if v := s.header.Get("X-Vigil-Assertion"); v != "" {
		t.Fatalf("bypass forwarded an assertion %q", v)
	}
}

func TestRouteTable(t *testing.T) {
	mk := func(app, host, prefix string) *Route { return &Route{App: app, Host: host, Prefix: prefix} }
	tab := NewTable([]*Route{
		mk("root", "", "/"), mk("api", "", "/api"), mk("apiv2", "", "/api/v2/"),
		mk("wiki", "wiki.example.com", "/"), mk("wiki-admin", "wiki.example.com", "/admin"),
	})
	cases := []struct{ host, path, want string }{
		{"other.example.com", "/x", "root"},
		{"other.example.com", "/api", "api"},
		{"other.example.com", "/api/x", "api"},
		{"other.example.com", "/apix", "root"},
		{"other.example.com", "/api/v2/z", "apiv2"},
		{"wiki.example.com", "/page", "wiki"},
		{"WIKI.example.com:8443", "/admin/users", "wiki-admin"},
		{"wiki.example.com.", "/adminx", "wiki"},
	}
	for _, tc := range cases {
		if r := tab.Match(tc.host, tc.path); r == nil || r.App != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %s", tc.host, tc.path, r, tc.want)
		}
	}
	if r := NewTable([]*Route{mk("wiki", "wiki.example.com", "/")}).Match("evil.example.com", "/"); r != nil {
		t.Errorf("unrouted host matched %s", r.App)
	}
}

func TestClientIP(t *testing.T) {
	c := &ClientIP{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	cases := []struct{ remote, xff, want string }{
		{"198.51.100.7:5555", "1.2.3.4", "198.51.100.7"},           // untrusted peer: XFF ignored
		{"10.0.0.1:5555", "1.2.3.4", "1.2.3.4"},                    // trusted proxy
		{"10.0.0.1:5555", "6.6.6.6, 1.2.3.4, 10.0.0.2", "1.2.3.4"}, // forged left part ignored
		{"10.0.0.1:5555", "garbage", "10.0.0.1"},
		{"[::ffff:10.0.0.1]:1", "2001:db8::1", "2001:db8::1"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		r.Header.Set("X-Forwarded-For", tc.xff)
		if got := c.Of(r).String(); got != tc.want {
			t.Errorf("Of(%s, %s) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
