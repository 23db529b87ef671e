package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// testSecret is the session master secret of every test gateway (48 bytes).
const testSecret = "server-test-master-secret-0123456789abcdefghijkl"

// appName is the one app every test gateway serves at "/".
const appName = "echo"

// listenLoopback binds a free loopback port; the gateway's public URL is
// known before anything that needs it (provider registration, verifier).
func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func publicURL(l net.Listener) string { return "http://" + l.Addr().String() }

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// gatewayConfig is a whole configuration as a vigil.yaml would give it:
// one app at "/" in front of upstream, guarded by policies.
func gatewayConfig(public, dbPath, upstream string, providers []config.Provider, policies []config.Rule) *config.Config {
	c := &config.Config{
		Server:    config.Server{PublicURL: public, Listen: "127.0.0.1:0"},
		Session:   config.Session{Secret: config.Secret{Value: testSecret}},
		Store:     config.Store{Driver: "sqlite", DSN: dbPath},
		Log:       config.Log{Audit: "stdout"}, // overridden by Options.AuditWriter
		Providers: providers,
		Apps:      []config.App{{Name: appName, PathPrefix: "/", Upstream: upstream, Policies: policies}},
	}
	c.SetDefaults()
	return c
}

func allowGroup(group string) []config.Rule {
	return []config.Rule{{Name: "allow-" + group, Action: "allow",
		Include: []config.Selector{{Group: config.StringList{group}}}}}
}

// serve builds a Server from cfg (which must validate) and serves it on l
// until the test ends. Server logs are shown when the test fails.
func serve(t *testing.T, l net.Listener, cfg *config.Config) *server.Server {
	t.Helper()
	return serveWith(t, l, cfg, server.Options{})
}

// serveWith is serve with opts; its Logger is the test's, and its
// AuditWriter too unless opts has one.
func serveWith(t *testing.T, l net.Listener, cfg *config.Config, opts server.Options) *server.Server {
	t.Helper()
	logs := &syncBuffer{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.AuditWriter == nil {
		opts.AuditWriter = io.Discard
	}
	srv, stop := startServer(t, l, cfg, opts)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", logs.String())
		}
	})
	return srv
}

// startServer builds a Server from cfg (which must validate) with opts
// and serves it on l until stop, which the caller calls by the test's end
// (or earlier, to take the gateway away). stop acts once and returns what
// Serve and Close returned; a Serve that does not return within 20 s of
// its context's end fails the test.
func startServer(t *testing.T, l net.Listener, cfg *config.Config, opts server.Options) (*server.Server, func() error) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test configuration does not validate: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, opts)
	if err != nil {
		cancel()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, server.Listeners{Main: l}) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					stopErr = fmt.Errorf("Serve: %w", err)
				}
			case <-time.After(20 * time.Second):
				t.Errorf("Serve on %s did not return 20s after its context ended", l.Addr())
			}
			if err := srv.Close(); err != nil {
				stopErr = errors.Join(stopErr, fmt.Errorf("Close: %w", err))
			}
		})
		return stopErr
	}
	return srv, stop
}

// echo is what the upstream saw, as it reports it.
type echo struct {
	RequestURI string `json:"request_uri"`
	// Assertions counts assertion header values; Others names the other
	// X-Vigil-* headers that arrived (there must be none).
	Assertions int      `json:"assertions"`
	Others     []string `json:"others"`
	Verified   bool     `json:"verified"`
	Error      string   `json:"error"`
	Claims     struct {
		Subject string   `json:"sub"`
		Email   string   `json:"email"`
		Groups  []string `json:"groups"`
		IdP     string   `json:"idp"`
		IdPSub  string   `json:"idp_sub"`
		Aud     []string `json:"aud"`
		Issuer  string   `json:"iss"`
		// Verification is the assertion's "verified" claim, if any.
		Verification *vigilauth.Verified `json:"verification"`
	} `json:"claims"`
}

// upstream is the protected app: it verifies the assertion against the
// gateway's JWKS with pkg/vigilauth, as a real app would, and echoes what
// it saw. It answers 200 whatever it finds: the test judges.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T, public string) *upstream {
	t.Helper()
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: public + "/.well-known/vigil/jwks.json", Issuer: public, Audience: appName,
	})
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		e := echo{RequestURI: r.URL.RequestURI()}
		vals := r.Header.Values(vigilauth.DefaultHeader)
		e.Assertions = len(vals)
		for k := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-vigil-") && !strings.EqualFold(k, vigilauth.DefaultHeader) {
				e.Others = append(e.Others, k)
			}
		}
		if len(vals) == 1 {
			c, err := v.Verify(r.Context(), vals[0])
			if err != nil {
				e.Error = err.Error()
			} else {
				e.Verified = true
				e.Claims.Subject, e.Claims.Email, e.Claims.Groups = c.Subject, c.Email, c.Groups
				e.Claims.IdP, e.Claims.IdPSub, e.Claims.Aud, e.Claims.Issuer = c.IdP, c.IdPSubject, c.Audience, c.Issuer
				e.Claims.Verification = c.Verified
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(e)
	}))
	t.Cleanup(u.Close)
	return u
}

// browser is a client with a cookie jar that follows redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	// A bound for a server that hangs, not a latency check: the verifier's
	// face steps take seconds under -race on a loaded machine.
	return &http.Client{Jar: jar, Timeout: 60 * time.Second}
}

// noFollow is c without redirect following (same jar).
func noFollow(c *http.Client) *http.Client {
	n := *c
	n.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &n
}

// get sends a GET with the given Accept and extra headers.
func get(t *testing.T, c *http.Client, url, accept string, hdr http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// getEcho makes an API call through the gateway and decodes the upstream's
// echo when it answered.
func getEcho(t *testing.T, c *http.Client, url string, hdr http.Header) (int, echo) {
	t.Helper()
	resp := get(t, c, url, "application/json", hdr)
	defer resp.Body.Close()
	var e echo
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatalf("GET %s: undecodable echo: %v", url, err)
		}
	}
	return resp.StatusCode, e
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// storeQueries sums every vigil_store_queries_total series the server
// exports (all operations and results).
func storeQueries(t *testing.T, srv *server.Server) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: HTTP %d", rec.Code)
	}
	var sum float64
	series := 0
	sc := bufio.NewScanner(bytes.NewReader(rec.Body.Bytes()))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "vigil_store_queries_total{") && !strings.HasPrefix(line, "vigil_store_queries_total ") {
			continue
		}
		// The change-feed follower reads the feed in the background when
		// another write (or process) wakes it; that is off the request path.
		if strings.Contains(line, `op="change.`) {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		sum += v
		series++
	}
	if series == 0 {
		t.Fatalf("no vigil_store_queries_total series in the metrics:\n%s", rec.Body.String())
	}
	return sum
}

// demoEnv is a gateway in front of an echo upstream, signing in with the
// in-process demo IdP.
type demoEnv struct {
	public   string
	issuer   string
	srv      *server.Server
	upstream *upstream
	dbPath   string
	secret   string // the demo IdP client's secret
}

// config returns a fresh configuration for the environment with policies.
func (e *demoEnv) config(policies []config.Rule) *config.Config {
	return gatewayConfig(e.public, e.dbPath, e.upstream.URL, []config.Provider{{
		Name: "demo", Issuer: e.issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: e.secret},
		Scopes: []string{"openid", "email", "profile", "groups"},
	}}, policies)
}

func startDemo(t *testing.T, policies []config.Rule) *demoEnv {
	t.Helper()
	e, gwL := newDemoEnv(t, "demo-client-secret-for-server-tests", nil)
	e.srv = serve(t, gwL, e.config(policies))
	return e
}

// newDemoEnv starts the demo IdP (users, or its default users when nil)
// with a client for the gateway, and the upstream app; it returns the
// environment without a gateway, and the listener the gateway is to
// serve on.
func newDemoEnv(t *testing.T, secret string, users []demoidp.User) (*demoEnv, net.Listener) {
	t.Helper()
	gwL, idpL := listenLoopback(t), listenLoopback(t)
	e := &demoEnv{
		public: publicURL(gwL),
		// localhost, not 127.0.0.1: the IdP's cookies stay apart from the gateway's.
		issuer: "http://localhost:" + strconv.Itoa(idpL.Addr().(*net.TCPAddr).Port),
		dbPath: filepath.Join(t.TempDir(), "vigil.db"),
		secret: secret,
	}
	if users == nil {
		users = demoidp.DefaultUsers()
	}
	idp, err := demoidp.New(demoidp.Config{
		Issuer: e.issuer, Users: users,
		Clients: []demoidp.Client{{
			ID: "vigil", Secret: e.secret,
			RedirectURIs:           []string{e.public + "/.vigil/callback"},
			PostLogoutRedirectURIs: []string{e.public + "/.vigil/signed-out"},
		}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go idpSrv.Serve(idpL)
	t.Cleanup(func() { idpSrv.Close() })
	e.upstream = newUpstream(t, e.public)
	return e, gwL
}

// signInDemo opens url as a browser and signs user in at the demo IdP; it
// returns where the browser ended.
func signInDemo(t *testing.T, c *http.Client, url, user string) *http.Response {
	t.Helper()
	page := get(t, c, url, "text/html", nil)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		page.Body.Close()
		t.Fatalf("expected the demo IdP's login page, got HTTP %d at %s", page.StatusCode, page.Request.URL)
	}
	resp, err := demoidp.SubmitLogin(c, page, user, user+"-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
