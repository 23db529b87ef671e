package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
)

// The demo IdP's user the benchmark signs in as, and her password (public
// demo data, see demoidp.DefaultUsers).
const (
	benchUser     = "alice"
	benchPassword = "alice-demo-password"
	benchEmail    = "alice@example.com"
)

// startIdP serves the demo IdP on l for clients. Its issuer is named
// localhost: plain http is accepted for loopback issuers.
func startIdP(l net.Listener, clients []demoidp.Client) (issuer string, stop func(), err error) {
	issuer = fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	idp, err := demoidp.New(demoidp.Config{Issuer: issuer, Users: demoidp.DefaultUsers(), Clients: clients})
	if err != nil {
		return "", nil, fmt.Errorf("demo IdP: %w", err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return issuer, func() { srv.Close() }, nil
}

// startVigil runs a Vigil server on gwL in this process, keeping its
// database and audit log in dir, signs alice in through the demo IdP at
// issuer, and returns her cookies (session, device) and the metrics URL.
func startVigil(ctx context.Context, gwL net.Listener, dir, issuer, upstream, clientSecret string) (cookie, metricsURL string, stop func(), err error) {
	metricsL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", nil, err
	}
	public := "http://" + gwL.Addr().String()
	cfg := benchConfig(public, issuer, upstream, clientSecret, filepath.Join(dir, "vigil.db"), filepath.Join(dir, "audit.log"))
	if err = cfg.Validate(); err != nil {
		metricsL.Close()
		return "", "", nil, fmt.Errorf("vigil config: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log})
	if err != nil {
		metricsL.Close()
		return "", "", nil, fmt.Errorf("vigil: %w", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Serve(sctx, server.Listeners{Main: gwL, Metrics: metricsL}); close(done) }()
	stop = func() {
		cancel()
		<-done
		srv.Close()
	}
	cookie, err = signInVigil(public, cfg.Session.CookieName)
	if err != nil {
		stop()
		return "", "", nil, err
	}
	return cookie, "http://" + metricsL.Addr().String() + "/metrics", stop, nil
}

// benchConfig protects the upstream with ten rules; alice matches only the
// last, so every request evaluates all ten.
func benchConfig(public, issuer, upstream, clientSecret, db, audit string) *config.Config {
	sel := func(s config.Selector) []config.Selector { return []config.Selector{s} }
	rules := []config.Rule{
		{Name: "block-bad-net", Action: "deny", Include: sel(config.Selector{IP: config.StringList{"198.51.100.0/24", "2001:db8::/32"}})},
		{Name: "block-contractors", Action: "deny", Include: sel(config.Selector{Group: config.StringList{"contractors"}})},
		{Name: "sales", Action: "allow", Include: sel(config.Selector{Group: config.StringList{"sales"}}), Require: sel(config.Selector{AMR: config.StringList{"hwk"}})},
		{Name: "partners", Action: "allow", Include: sel(config.Selector{EmailDomain: config.StringList{"partner.example", "vendor.example"}})},
		{Name: "finance", Action: "allow", Include: sel(config.Selector{Group: config.StringList{"finance", "accounting"}})},
		{Name: "ops-office", Action: "allow", Include: sel(config.Selector{IP: config.StringList{"203.0.113.0/24"}})},
		{Name: "execs", Action: "allow", Include: sel(config.Selector{Email: config.StringList{"ceo@example.com", "cfo@example.com"}})},
		{Name: "dept", Action: "allow", Include: sel(config.Selector{Claim: &config.ClaimSelector{Name: "department", Values: config.StringList{"research"}}})},
		{Name: "other-idp", Action: "allow", Include: sel(config.Selector{Provider: config.StringList{"okta"}})},
		{Name: "engineering", Action: "allow", Include: sel(config.Selector{EmailDomain: config.StringList{"example.com"}}),
			Require: sel(config.Selector{Group: config.StringList{"engineering"}}),
			Exclude: sel(config.Selector{IP: config.StringList{"192.0.2.0/24"}})},
	}
	c := &config.Config{
		Server:    config.Server{PublicURL: public},
		Session:   config.Session{Secret: config.Secret{Value: "bench-master-secret-0123456789abcdef-0123456789"}},
		Store:     config.Store{DSN: db},
		Log:       config.Log{Audit: audit},
		Providers: []config.Provider{{Name: "demo", Issuer: issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: clientSecret}}},
		Apps:      []config.App{{Name: "bench", Upstream: upstream, Policies: rules}},
	}
	c.SetDefaults()
	return c
}

// signInVigil opens the app through the gateway like a browser, signs in at
// the demo IdP and returns the Cookie header a browser would then send.
func signInVigil(public, cookieName string) (string, error) {
	jar := newJar()
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	req, err := http.NewRequest("GET", public+"/", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "text/html")
	page, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("vigil: opening the app: %w", err)
	}
	resp, err := demoidp.SubmitLogin(c, page, benchUser, benchPassword)
	if err != nil {
		return "", fmt.Errorf("vigil: signing in: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("vigil: signing in ended with HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// Every cookie the gateway set, as a browser sends them back: the
	// session and the long-lived device cookie (without it the gateway
	// would mint a new device on every request, which no browser causes).
	u, _ := url.Parse(public)
	cookie, found := cookieHeader(jar.Cookies(u), func(name string) bool { return name == cookieName })
	if !found {
		return "", fmt.Errorf("vigil: no session cookie after signing in")
	}
	return cookie, nil
}

// cookieHeader joins cookies into a Cookie header value and reports
// whether one of them is the session (isSession).
func cookieHeader(cookies []*http.Cookie, isSession func(name string) bool) (string, bool) {
	var parts []string
	found := false
	for _, ck := range cookies {
		parts = append(parts, ck.Name+"="+ck.Value)
		found = found || isSession(ck.Name)
	}
	return strings.Join(parts, "; "), found
}
