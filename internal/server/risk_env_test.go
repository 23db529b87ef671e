package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
)

// adminToken is the admin API token of every risk test gateway.
const adminToken = "risk-test-admin-token-0123456789"

// riskEnv is a gateway with continuous assurance: a primary demo IdP with
// the users u1..u6 (group staff), a second demo IdP as the verification
// provider, the admin API, and whatever tweak adds (GeoIP, Shared Signals).
type riskEnv struct {
	public   string
	issuer   string // the primary IdP's
	srv      *server.Server
	upstream *upstream
	cfg      *config.Config
}

func riskUsers() []demoidp.User {
	var us []demoidp.User
	for i := 1; i <= 6; i++ {
		n := "u" + strconv.Itoa(i)
		us = append(us, demoidp.User{Subject: "sub-" + n, Username: n, Password: n + "-demo-password",
			Email: n + "@example.com", Name: "User " + n, GivenName: "User", FamilyName: n, Groups: []string{"staff"}})
	}
	return us
}

func startRisk(t *testing.T, tweak func(*config.Config)) *riskEnv {
	t.Helper()
	gwL, idpL, idvL := listenLoopback(t), listenLoopback(t), listenLoopback(t)
	e := &riskEnv{public: publicURL(gwL)}
	e.issuer = startUsersIdP(t, idpL, e.public, "vigil", "primary-secret")
	idv := startUsersIdP(t, idvL, e.public, "vigil-idv", "verifier-secret")
	e.upstream = newUpstream(t, e.public)
	cfg := gatewayConfig(e.public, filepath.Join(t.TempDir(), "vigil.db"), e.upstream.URL, []config.Provider{{
		Name: "demo", Issuer: e.issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "primary-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"},
	}}, allowGroup("staff"))
	cfg.Verifiers = []config.Verifier{{
		Name: "idv", Issuer: idv, ClientID: "vigil-idv", ClientSecret: config.Secret{Value: "verifier-secret"},
		Scopes: []string{"openid", "email", "profile"}, ACRValues: []string{demoidp.ACR},
		ACRLevels: map[string]string{demoidp.ACR: "ial2"},
	}}
	cfg.Apps[0].Verifier = "idv"
	cfg.Admin.Token = config.Secret{Value: adminToken}
	// The tests speak for clients at other addresses through this proxy.
	cfg.Server.TrustedProxies = []string{"127.0.0.1/32"}
	if tweak != nil {
		tweak(cfg)
	}
	cfg.SetDefaults()
	e.cfg = cfg
	e.srv = serve(t, gwL, cfg)
	return e
}

// startUsersIdP is startIdP with riskUsers.
func startUsersIdP(t *testing.T, l net.Listener, public, id, secret string) string {
	t.Helper()
	issuer := "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{
		Issuer: issuer, Users: riskUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []demoidp.Client{{ID: id, Secret: secret, RedirectURIs: []string{public + "/.vigil/callback"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return issuer
}

// from is a browser whose requests to the gateway come, as the trusted
// proxy says, from a chosen address.
type from struct {
	mu sync.Mutex
	ip string
	gw string // the gateway's host:port
}

func (f *from) set(ip string) { f.mu.Lock(); f.ip = ip; f.mu.Unlock() }

func (f *from) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	ip := f.ip
	f.mu.Unlock()
	if ip != "" && r.URL.Host == f.gw {
		r = r.Clone(r.Context())
		r.Header.Set("X-Forwarded-For", ip)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (e *riskEnv) browserFrom(ip string) (*http.Client, *from) {
	u, _ := url.Parse(e.public)
	f := &from{ip: ip, gw: u.Host}
	c := browser()
	c.Transport = f
	return c, f
}

// admin calls the admin API.
func (e *riskEnv) admin(t *testing.T, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.public+"/.vigil/admin/api"+path, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

type riskView struct {
	User    string `json:"user"`
	Score   int    `json:"score"`
	Level   string `json:"level"`
	Factors []struct {
		Kind      string  `json:"kind"`
		Points    int     `json:"points"`
		Reason    string  `json:"reason"`
		Source    string  `json:"source"`
		ClearedBy string  `json:"cleared_by"`
		ClearedAt *string `json:"cleared_at"`
	} `json:"factors"`
}

func (e *riskEnv) risk(t *testing.T, who string) riskView {
	t.Helper()
	var v riskView
	if code := e.admin(t, "GET", "/users/"+url.PathEscape(who)+"/risk", nil, &v); code != 200 {
		t.Fatalf("risk of %s: HTTP %d", who, code)
	}
	return v
}

// eventually polls cond until it holds or 10 s pass: detectors and the
// change feed work off the request path.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	within(t, 10*time.Second, what, cond)
}

// within polls cond until it holds or d passes; the failure shows the
// state cond reported last.
func within(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last: %s", what, d, last)
}

// status is one request's outcome, for eventually.
func status(t *testing.T, c *http.Client, u, accept string) (int, string, string) {
	t.Helper()
	resp := get(t, noFollow(c), u, accept, nil)
	body := readBody(t, resp)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

func describe(code int, loc, body string) string {
	if len(body) > 300 {
		body = body[:300]
	}
	return fmt.Sprintf("HTTP %d location %q body %s", code, loc, strings.TrimSpace(body))
}
