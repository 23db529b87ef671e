package gateway

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// levels is an Assurance with set levels: the gateway's contract is only
// "user -> level, reasons, whether a verification helps".
type levels struct {
	mu        sync.Mutex
	level     map[string]risk.Level
	helps     bool
	appRevoke map[string]time.Time
	revoked   []string
	observed  []Observation
}

func (l *levels) Level(u string, _ time.Time) risk.Level {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.level[u]
}
func (l *levels) StepUpHelps(string, risk.Level, time.Time) bool { return l.helps }
func (l *levels) Reasons(string, time.Time) []string {
	return []string{"five accounts used one browser within 3 minutes (+60)"}
}
func (l *levels) Observe(o Observation) {
	l.mu.Lock()
	l.observed = append(l.observed, o)
	l.mu.Unlock()
}
func (l *levels) AppRevokedAt(app string) time.Time { return l.appRevoke[app] }
func (l *levels) RevokeUser(_ context.Context, u, _ string) error {
	l.mu.Lock()
	l.revoked = append(l.revoked, u)
	l.mu.Unlock()
	return nil
}

func newRiskGateway(t *testing.T, rules []config.Rule, a *levels, actions RiskActions) *httptest.Server {
	t.Helper()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("upstream ok")) }))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	pol, err := policy.Compile(rules, "apps[0].policies")
	if err != nil {
		t.Fatal(err)
	}
	g := New(Options{
		Routes:      []*Route{{App: "wiki", Prefix: "/", Upstream: u, Policy: pol, Verifier: "idv", VerifierACR: []string{"urn:idv"}, Risk: actions}},
		Sessions:    &tableSessions{byCookie: map[string]*store.Session{"good": alice}},
		IsNoSession: func(err error) bool { return errors.Is(err, errNoSession) },
		Minter:      signedBy{}, CookieName: "vigil_session", AssertionHeader: "X-Vigil-Assertion",
		IsOurCookie: func(n string) bool { return strings.HasPrefix(n, "vigil_") },
		PublicURL:   "https://vigil.example.com", Transport: http.DefaultTransport, ClientIP: &ClientIP{}, Clock: time.Now,
		Assurance: a, DeviceCookie: "vigil_device",
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func TestRiskActions(t *testing.T) {
	actions := RiskActions{Medium: "step_up", High: "revoke", StepUpMaxAge: 5 * time.Minute}
	cases := []struct {
		name      string
		level     risk.Level
		helps     bool
		actions   RiskActions
		json      bool
		rules     []config.Rule
		status    int
		location  string // prefix
		challenge string // substring of WWW-Authenticate
		code      string // substring of the body
		revoked   bool
	}{
		{name: "low goes to the policy", level: risk.Low, status: 200},
		{name: "medium steps up a browser", level: risk.Medium, helps: true, status: 302, location: "https://vigil.example.com/.vigil/verify?rd="},
		{name: "medium challenges an API client", level: risk.Medium, helps: true, json: true, status: 401,
			challenge: `error="insufficient_user_authentication", error_description="identity re-verification required: risk is medium", acr_values="urn:idv", max_age=300`, code: "risk-step-up"},
		{name: "step-up that cannot help denies", level: risk.Medium, helps: false, status: 403, code: "risk-deny"},
		{name: "high revokes", level: risk.High, status: 401, code: "risk-revoked", revoked: true},
		{name: "deny action", level: risk.High, actions: RiskActions{High: "deny"}, status: 403, code: "risk-deny"},
		{name: "allow action leaves it to the policy", level: risk.High, actions: RiskActions{High: "allow"}, status: 200},
		{name: "policy risk selector steps up", level: risk.High, helps: true, actions: RiskActions{High: "allow"},
			rules:  []config.Rule{{Action: "allow", Include: []config.Selector{{Everyone: true}}, Require: []config.Selector{{Risk: "medium"}}}},
			status: 302, location: "https://vigil.example.com/.vigil/verify?rd="},
		{name: "policy risk selector denies when a step-up cannot help", level: risk.High, actions: RiskActions{High: "allow"},
			rules:  []config.Rule{{Action: "allow", Include: []config.Selector{{Everyone: true}}, Require: []config.Selector{{Risk: "medium"}}}},
			status: 403, code: "access-denied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &levels{level: map[string]risk.Level{alice.UserID: tc.level}, helps: tc.helps}
			act := actions
			if tc.actions.Medium != "" || tc.actions.High != "" {
				act = tc.actions
			}
			rules := tc.rules
			if rules == nil {
				rules = allowExample()
			}
			srv := newRiskGateway(t, rules, a, act)
			req, _ := http.NewRequest("GET", srv.URL+"/page", nil)
			req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
			if tc.json {
				req.Header.Set("Accept", "application/json")
			}
			resp, err := noRedirects(&http.Client{}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.location != "" && !strings.HasPrefix(resp.Header.Get("Location"), tc.location) {
				t.Errorf("Location %q, want prefix %q", resp.Header.Get("Location"), tc.location)
			}
			if tc.challenge != "" && !strings.Contains(resp.Header.Get("WWW-Authenticate"), tc.challenge) {
				t.Errorf("WWW-Authenticate %q, want %q", resp.Header.Get("WWW-Authenticate"), tc.challenge)
			}
			if tc.code != "" && !strings.Contains(body, tc.code) {
				t.Errorf("body lacks %q: %s", tc.code, body)
			}
			if tc.status == 403 && tc.code == "risk-deny" && !strings.Contains(body, "five accounts used one browser") {
				t.Errorf("denial does not say why: %s", body)
			}
			if got := len(a.revoked) == 1 && a.revoked[0] == alice.UserID; got != tc.revoked {
				t.Errorf("revoked %v, want revoke=%v", a.revoked, tc.revoked)
			}
			if len(a.observed) != 1 || a.observed[0].UserID != alice.UserID || a.observed[0].App != "wiki" || !a.observed[0].IP.IsValid() {
				t.Errorf("observations %+v", a.observed)
			}
		})
	}
}

func TestDeviceCookieAndAppRevocation(t *testing.T) {
	a := &levels{level: map[string]risk.Level{}}
	srv := newRiskGateway(t, allowExample(), a, RiskActions{})
	get := func(device string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/page", nil)
		req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
		req.Header.Set("Accept-Language", "de-CH,de;q=0.9,en;q=0.5")
		if device != "" {
			req.AddCookie(&http.Cookie{Name: "vigil_device", Value: device})
		}
		resp, err := noRedirects(&http.Client{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		return resp
	}
	resp := get("")
	var dev string
	for _, c := range resp.Cookies() {
		if c.Name == "vigil_device" {
			dev = c.Value
		}
	}
	if !ValidDeviceID(dev) {
		t.Fatalf("no device cookie set: %v", resp.Header.Values("Set-Cookie"))
	}
	if resp := get(dev); len(resp.Cookies()) != 0 {
		t.Errorf("device cookie set again: %v", resp.Header.Values("Set-Cookie"))
	}
	get("forged value with spaces")
	if a.observed[0].Device != "" || a.observed[1].Device != dev || a.observed[2].Device != "" || a.observed[1].Language != "de-CH" {
		t.Errorf("observations %+v", a.observed)
	}
	// An app revocation after the session began sends it to sign in again.
	a.appRevoke = map[string]time.Time{"wiki": time.Now()}
	if resp := get(dev); resp.StatusCode != 302 || !strings.Contains(resp.Header.Get("Location"), "/.vigil/login") {
		t.Errorf("after app revocation: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// TestRiskOff: with risk disabled every user is at low risk here, even one
// the engine rates high, and a risk selector matches.
func TestRiskOff(t *testing.T) {
	a := &levels{level: map[string]risk.Level{alice.UserID: risk.High}}
	rules := []config.Rule{{Action: "allow", Include: []config.Selector{{Everyone: true}}, Require: []config.Selector{{Risk: "low"}}}}
	srv := newRiskGateway(t, rules, a, RiskActions{Off: true, Medium: "allow", High: "allow"})
	req, _ := http.NewRequest("GET", srv.URL+"/page", nil)
	req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
	resp, err := noRedirects(&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || len(a.revoked) != 0 || len(a.observed) != 0 {
		t.Fatalf("HTTP %d, revoked %v, observed %d: %s", resp.StatusCode, a.revoked, len(a.observed), body)
	}
}

// TestStaleReplicaRefusesSessions: a replica that cannot read the store's
// change feed for too long stops trusting its cached sessions (503), while
// requests without a session go on as before.
func TestStaleReplicaRefusesSessions(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	pol, err := policy.Compile(allowExample(), "apps[0].policies")
	if err != nil {
		t.Fatal(err)
	}
	var stale atomic.Bool
	stale.Store(true)
	g := New(Options{
		Routes:   []*Route{{App: "wiki", Prefix: "/", Upstream: u, Policy: pol}},
		Sessions: &tableSessions{byCookie: map[string]*store.Session{"good": alice}}, IsNoSession: func(err error) bool { return errors.Is(err, errNoSession) },
		Minter: signedBy{}, CookieName: "vigil_session", AssertionHeader: "X-Vigil-Assertion",
		IsOurCookie: func(n string) bool { return strings.HasPrefix(n, "vigil_") }, PublicURL: "https://vigil.example.com",
		Transport: http.DefaultTransport, ClientIP: &ClientIP{}, Clock: time.Now,
		Stale: func(time.Time) bool { return stale.Load() },
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	get := func(cookie bool) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/page", nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: "vigil_session", Value: "good"})
		}
		resp, err := noRedirects(&http.Client{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	if code, body := get(true); code != 503 || !strings.Contains(body, "session-store-stale") {
		t.Fatalf("stale, with a session: HTTP %d %s", code, body)
	}
	if code, _ := get(false); code != 302 {
		t.Fatalf("stale, without a session: HTTP %d, want the usual sign-in redirect", code)
	}
	stale.Store(false)
	if code, body := get(true); code != 200 {
		t.Fatalf("fresh again: HTTP %d %s", code, body)
	}
}
