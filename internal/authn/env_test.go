package authn

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
)

// fakeClock is a settable clock shared by the handler, provider and OP.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// memLedger is a real, in-memory one-time ledger.
type memLedger struct {
	mu   sync.Mutex
	used map[string]time.Time
}

var _ Ledger = (*memLedger)(nil)

func (l *memLedger) MarkUsed(_ context.Context, key string, expires time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.used[key]; ok {
		return false, nil
	}
	l.used[key] = expires
	return true, nil
}

// memSessions creates sessions in memory and revokes them by cookie.
type memSessions struct {
	mu       sync.Mutex
	sessions map[string]memSession
	created  []identity.Identity
	down     error // when set, Create fails with it (the store is down)
}

type memSession struct {
	id   identity.Identity
	meta SessionMeta
}

var (
	_ SessionCreator = (*memSessions)(nil)
	_ SessionRevoker = (*memSessions)(nil)
)

func (s *memSessions) Create(_ context.Context, id identity.Identity, meta SessionMeta) (*http.Cookie, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down != nil {
		return nil, s.down
	}
	tok := "sess-" + id.Subject + "-" + time.Now().Format(time.RFC3339Nano)
	s.sessions[tok] = memSession{id: id, meta: meta}
	s.created = append(s.created, id)
	return &http.Cookie{Name: "vigil_session", Value: url.QueryEscape(tok), Path: "/", HttpOnly: true, Secure: true}, nil
}

func (s *memSessions) Revoke(_ context.Context, r *http.Request) (Revoked, error) {
	c, err := r.Cookie("vigil_session")
	if err != nil {
		return Revoked{}, nil
	}
	tok, _ := url.QueryUnescape(c.Value)
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[tok]
	delete(s.sessions, tok)
	clear := &http.Cookie{Name: "vigil_session", Path: "/", MaxAge: -1, Secure: true}
	if !ok {
		return Revoked{Clear: clear}, nil
	}
	return Revoked{Provider: sess.id.Provider, IDToken: sess.meta.IDToken, Clear: clear}, nil
}

func (s *memSessions) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.created) }

// live counts sessions not yet revoked.
func (s *memSessions) live() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.sessions) }

// appsFunc adapts a function to Apps.
type appsFunc func(*url.URL) []string

func (f appsFunc) ProvidersFor(u *url.URL) []string { return f(u) }

// testEnv is a gateway serving the authn handler, a hostile OP and a
// browser with a cookie jar that follows no redirects by itself.
type testEnv struct {
	t        *testing.T
	clock    *fakeClock
	op       *testOP
	gw       *httptest.Server
	h        *Handler
	prov     *Provider
	sessions *memSessions
	browser  *http.Client
	jar      *cookiejar.Jar

	mu       sync.Mutex
	failures []string
	logs     bytes.Buffer // every log line of the handler and provider
}

// Write collects log output (slog handlers call it concurrently).
func (e *testEnv) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.logs.Write(p)
}

func (e *testEnv) logText() string { e.mu.Lock(); defer e.mu.Unlock(); return e.logs.String() }

func newEnv(t *testing.T, alg jose.SignatureAlgorithm, opSetup func(*testOP)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, clock: &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	e.sessions = &memSessions{sessions: map[string]memSession{}}
	e.op = newTestOP(t, e.clock.Now, alg)
	if opSetup != nil {
		opSetup(e.op)
	}
	mux := http.NewServeMux()
	e.gw = httptest.NewUnstartedServer(mux)
	e.gw.StartTLS()
	t.Cleanup(e.gw.Close)
	logger := slog.New(slog.NewTextHandler(e, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	e.prov, err = NewProvider(context.Background(), config.Provider{
		Name: "op", Title: "Test OP", Issuer: e.op.issuer(), ClientID: e.op.clientID,
		ClientSecret: config.Secret{Value: e.op.secret},
	}, ProviderOptions{HTTPClient: e.op.srv.Client(), Now: e.clock.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	e.h, err = New(Options{
		PublicURL: e.gw.URL, Master: []byte(strings.Repeat("m", 32)), Providers: []*Provider{e.prov},
		Sessions: e.sessions, Revoker: e.sessions, Ledger: &memLedger{used: map[string]time.Time{}},
		Apps:        appsFunc(func(*url.URL) []string { return []string{"op"} }),
		HostAllowed: func(h string) bool { return h == "127.0.0.1" },
		OnLoginFailure: func(p, reason string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.failures = append(e.failures, p+"/"+reason)
		},
		Now: e.clock.Now, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(pathPrefix, e.h)
	mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "app") })
	e.jar, _ = cookiejar.New(nil)
	e.browser = &http.Client{
		Transport:     e.op.srv.Client().Transport, // trusts httptest's certificate, shared by both servers
		Jar:           e.jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return e
}

// get fetches u (absolute or gateway-relative) and returns the response
// with its body read.
func (e *testEnv) get(u string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.gw.URL + u
	}
	resp, err := e.browser.Get(u)
	if err != nil {
		e.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// postLogout submits the sign-out form as a browser would, with extra
// headers (Origin, Sec-Fetch-Site) and form values.
func (e *testEnv) postLogout(hdr map[string]string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.gw.URL+PathLogout, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.browser.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", PathLogout, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// toCallback runs /start and the OP's authorize step and returns the
// callback URL the OP sends the browser to (not yet visited).
func (e *testEnv) toCallback(rd string) string {
	e.t.Helper()
	resp, _ := e.get(startURL("op", rd))
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("start: status %d", resp.StatusCode)
	}
	resp, _ = e.get(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

func (e *testEnv) lastFailure() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.failures) == 0 {
		return ""
	}
	return e.failures[len(e.failures)-1]
}

func (e *testEnv) cookies(u string) []*http.Cookie {
	pu, _ := url.Parse(e.gw.URL + u)
	return e.jar.Cookies(pu)
}
