package authn

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
)

func TestLoginPage(t *testing.T) {
	e := newEnv(t, jose.ES256, nil)
	second, err := NewProvider(context.Background(), config.Provider{
		Name: "corp", Title: "Corp <SSO>", Issuer: e.op.issuer(), ClientID: e.op.clientID,
	}, ProviderOptions{HTTPClient: e.op.srv.Client(), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string][]string{"/multi/": {"op", "corp", "not-configured"}, "/single/": {"corp"}}
	h, err := New(Options{
		PublicURL: "https://gw.example.com", Master: make([]byte, 32), Providers: []*Provider{e.prov, second},
		Sessions: e.sessions, Revoker: e.sessions, Ledger: &memLedger{used: map[string]time.Time{}},
		Apps: appsFunc(func(u *url.URL) []string {
			if u.Host != "gw.example.com" {
				t.Errorf("relative rd resolved to host %q", u.Host)
			}
			return allowed[u.Path]
		}),
		HostAllowed: func(string) bool { return false },
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rd       string
		status   int
		contains []string
		location string
	}{
		{rd: "/multi/", status: 200, contains: []string{"Continue with Test OP", "Corp &lt;SSO&gt;", "provider=corp&amp;rd=%2Fmulti%2F"}},
		{rd: "/single/", status: 303, location: "/.vigil/start?provider=corp&rd=%2Fsingle%2F"},
		{rd: "/nothing/", status: 400, contains: []string{ReasonNoProvider}},
		{rd: "https://evil.com/", status: 400, contains: []string{ReasonReturnURLInvalid}},
		{rd: "//evil.com/", status: 400, contains: []string{ReasonReturnURLInvalid}},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", loginURL(tc.rd), nil))
		if rec.Code != tc.status || rec.Header().Get("Location") != tc.location {
			t.Errorf("rd %q: status %d location %q", tc.rd, rec.Code, rec.Header().Get("Location"))
		}
		for _, s := range tc.contains {
			if !strings.Contains(rec.Body.String(), s) {
				t.Errorf("rd %q: body lacks %q", tc.rd, s)
			}
		}
		if rec.Code != 303 && (!strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") ||
			rec.Header().Get("Referrer-Policy") != "no-referrer" || strings.Contains(rec.Body.String(), "<script")) {
			t.Errorf("rd %q: page headers %v", tc.rd, rec.Header())
		}
	}
	// /start refuses a provider the app does not allow.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", startURL("op", "/single/"), nil))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), ReasonProviderNotAllowed) {
		t.Fatalf("start with a disallowed provider: %d", rec.Code)
	}
}

func TestProviderDownAtStartup(t *testing.T) {
	e := newEnv(t, jose.ES256, func(op *testOP) { op.down = true })
	if err := e.h.Ready(); err == nil {
		t.Fatal("Ready() is nil while the provider is down")
	}
	resp, body := e.get(startURL("op", "/app/"))
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, ReasonProviderUnreachable) {
		t.Fatalf("start while down: %d", resp.StatusCode)
	}
	e.op.set(func(op *testOP) { op.down = false })
	e.clock.Add(discoveryRetry + time.Second)
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login after recovery: %d (%s)", resp.StatusCode, e.lastFailure())
	}
	if err := e.h.Ready(); err != nil {
		t.Fatalf("Ready() after recovery: %v", err)
	}
}

func TestUserinfo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		info   map[string]any
		reason string
	}{
		{name: "merged", info: map[string]any{"sub": "user-123", "department": "R&D", "email": "other@example.com"}},
		{name: "sub mismatch", info: map[string]any{"sub": "someone-else"}, reason: ReasonUserinfoSubMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, jose.ES256, func(op *testOP) { op.userinfo = tc.info })
			resp, _ := e.get(e.toCallback("/app/"))
			if tc.reason != "" {
				if resp.StatusCode != 400 || e.lastFailure() != "op/"+tc.reason {
					t.Fatalf("status %d failure %q", resp.StatusCode, e.lastFailure())
				}
				return
			}
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d failure %q", resp.StatusCode, e.lastFailure())
			}
			id := e.sessions.created[0]
			if id.Claims["department"] != "R&D" || id.Email != "alice@example.com" {
				t.Fatalf("merge: email %q claims %v", id.Email, id.Claims)
			}
		})
	}
}

func TestLogout(t *testing.T) {
	for _, endSession := range []bool{true, false} {
		e := newEnv(t, jose.ES256, func(op *testOP) { op.endSession = endSession })
		if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		resp, body := e.postLogout(map[string]string{"Sec-Fetch-Site": "same-origin"}, nil)
		if len(e.cookies("/")) != 0 || e.sessions.live() != 0 {
			t.Fatalf("session cookie kept: %v", e.cookies("/"))
		}
		if !endSession {
			if resp.StatusCode != 200 || !strings.Contains(body, "signed out") {
				t.Fatalf("local logout: %d %s", resp.StatusCode, body)
			}
			continue
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil {
			t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		q := loc.Query()
		if !strings.HasPrefix(loc.String(), e.op.issuer()+"/logout?") || q.Get("tenant") != "t1" ||
			q.Get("id_token_hint") == "" || q.Get("post_logout_redirect_uri") != e.gw.URL+PathSignedOut ||
			len(q.Get("state")) < 43 || q.Get("client_id") != e.op.clientID {
			t.Fatalf("end session URL %s", loc)
		}
		// A second logout has no session: signed-out page, no provider trip.
		if resp, _ := e.postLogout(nil, nil); resp.StatusCode != 200 {
			t.Fatalf("logout without session: %d", resp.StatusCode)
		}
	}
}

func TestNewProviderConfig(t *testing.T) {
	base := config.Provider{Name: "p", Issuer: "https://127.0.0.1:1", ClientID: "c"}
	down := &http.Client{Timeout: time.Second}
	cases := []struct {
		name string
		mod  func(*config.Provider)
		ok   bool
	}{
		{"defaults", func(*config.Provider) {}, true},
		{"alg none", func(p *config.Provider) { p.SigningAlgs = []string{"none"} }, false},
		{"alg HS256", func(p *config.Provider) { p.SigningAlgs = []string{"RS256", "HS256"} }, false},
		{"skew too big", func(p *config.Provider) { p.ClockSkew = config.Duration(10 * time.Minute) }, false},
		{"no client id", func(p *config.Provider) { p.ClientID = "" }, false},
		{"issuer not a URL", func(p *config.Provider) { p.Issuer = "issuer" }, false},
		{"secret env unset", func(p *config.Provider) { p.ClientSecret = config.Secret{Env: "VIGIL_TEST_UNSET_VAR"} }, false},
	}
	for _, tc := range cases {
		cfg := base
		tc.mod(&cfg)
		p, err := NewProvider(context.Background(), cfg, ProviderOptions{HTTPClient: down})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if err == nil && p.Ready() == nil {
			t.Errorf("%s: unreachable provider reported ready", tc.name)
		}
	}
}
