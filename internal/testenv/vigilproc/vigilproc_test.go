package vigilproc

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// demo starts a demo IdP for gateways at urls and returns their
// configuration on an SQLite file: one app, no sign-in needed here.
func demo(t *testing.T, db string, urls ...string) *config.Config {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://localhost:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	var redirects []string
	for _, u := range urls {
		redirects = append(redirects, u+"/.vigil/callback")
	}
	idp, err := demoidp.New(demoidp.Config{Issuer: issuer, Users: demoidp.DefaultUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []demoidp.Client{{ID: "vigil", Secret: "vigilproc-client-secret", RedirectURIs: redirects}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return &config.Config{
		Session: config.Session{Secret: config.Secret{Value: "vigilproc-test-session-secret-0123456789abcdef"}},
		Store:   config.Store{Driver: "sqlite", DSN: db},
		Log:     config.Log{Format: "text"},
		Providers: []config.Provider{{Name: "demo", Issuer: issuer, ClientID: "vigil",
			ClientSecret: config.Secret{Value: "vigilproc-client-secret"}}},
		Apps: []config.App{{Name: "app", Upstream: "http://127.0.0.1:9", Policies: []config.Rule{{Name: "all",
			Action: "allow", Include: []config.Selector{{Everyone: true}}}}}},
	}
}

// answers reports whether something answers HTTP at u.
func answers(u string) bool {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(u + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

func readLog(t *testing.T, g *Gateway) string {
	t.Helper()
	b, err := os.ReadFile(g.logPath())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLifecycle starts, kills, restarts and stops one gateway, which
// keeps its address throughout, and checks its log tells the story.
func TestLifecycle(t *testing.T) {
	g := New(t, "A")
	cfg := demo(t, filepath.Join(t.TempDir(), "vigil.db"), g.URL)
	g.Start(cfg)
	if !answers(g.URL) {
		t.Fatal("not answering after Start")
	}
	if cfg.Server.Listen != "" || cfg.Log.Audit != "" {
		t.Fatalf("Start changed the caller's configuration: %+v %+v", cfg.Server, cfg.Log)
	}
	g.Kill()
	if answers(g.URL) {
		t.Fatal("still answering after Kill")
	}
	g.Restart()
	if !answers(g.URL) {
		t.Fatal("not answering after Restart")
	}
	g.Restart() // a running gateway is stopped first
	if err := g.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if answers(g.URL) {
		t.Fatal("still answering after Stop")
	}
	if err := g.Stop(); err == nil || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("second Stop: %v", err)
	}
	log := readLog(t, g)
	for _, want := range []string{"start 1", "SIGKILL: signal: killed", "start 2", "SIGTERM", "exited: exit status 0", "start 3"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "vigil serving"); n != 3 {
		t.Errorf("log shows %d starts, want 3:\n%s", n, log)
	}
	if _, err := os.Stat(g.auditPath()); err != nil {
		t.Errorf("audit records not beside the log: %v", err)
	}
}

// TestConfigFile checks the file vigil reads: the gateway's own address,
// the caller's settings and secrets, private to the user.
func TestConfigFile(t *testing.T) {
	g := &Gateway{Name: "A", URL: "http://127.0.0.1:4321", addr: "127.0.0.1:4321", dir: t.TempDir()}
	cfg := demo(t, "/var/lib/vigil/x.db", g.URL)
	cfg.Server.ShutdownTimeout = config.Duration(3 * time.Second)
	if err := g.writeConfig(cfg); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(g.configPath())
	if err != nil {
		t.Fatal(err)
	}
	if got.Server.Listen != g.addr || got.Server.PublicURL != g.URL || got.Log.Audit != g.auditPath() {
		t.Errorf("server %+v, audit %q", got.Server, got.Log.Audit)
	}
	if got.Session.Secret != cfg.Session.Secret || got.Store != (config.Store{Driver: "sqlite", DSN: "/var/lib/vigil/x.db", MaxStale: got.Store.MaxStale}) {
		t.Errorf("session %v, store %+v", got.Session.Secret, got.Store)
	}
	if g.grace != 3*time.Second+stopMargin {
		t.Errorf("grace %v", g.grace)
	}
	if fi, err := os.Stat(g.configPath()); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("config file: %v %v", fi.Mode(), err)
	}
	cfg.Apps = nil
	if err := g.writeConfig(cfg); err == nil || !strings.Contains(err.Error(), "does not load") {
		t.Errorf("a configuration without apps: %v", err)
	}
}

// TestStartFailures shows a gateway that cannot start ends its test with
// a message saying why, and the log on failure.
func TestStartFailures(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, g *Gateway, cfg *config.Config)
		want  []string // in the failure message or the log shown
	}{
		{"store cannot open", func(t *testing.T, g *Gateway, cfg *config.Config) {
			cfg.Store.DSN = filepath.Join(t.TempDir(), "missing", "dir", "vigil.db")
		}, []string{"exited while starting (exit status 1)", "start 1", "vigil.db"}},
		{"address taken", func(t *testing.T, g *Gateway, cfg *config.Config) {
			l, err := net.Listen("tcp", g.addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
		}, []string{"another program holds its address"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTB{TB: t}
			g := New(ft, "A")
			cfg := demo(t, filepath.Join(t.TempDir(), "vigil.db"), g.URL)
			tc.setup(t, g, cfg)
			done := make(chan struct{})
			go func() { // Fatalf ends this goroutine with runtime.Goexit, as in a real test
				defer close(done)
				g.Start(cfg)
			}()
			<-done
			ft.runCleanups()
			got := ft.String()
			if !ft.failed {
				t.Fatalf("Start did not fail:\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("failure lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestCleanupJudges shows what the end of a test reports about a gateway:
// a crash the test did not cause, a race the gateway reported.
func TestCleanupJudges(t *testing.T) {
	cases := []struct {
		name string
		do   func(t *testing.T, g *Gateway)
		want string
	}{
		{"crash", func(t *testing.T, g *Gateway) {
			if err := g.run.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-g.run.exited
		}, "gateway A exited by itself during the test (signal: killed)"},
		{"race", func(t *testing.T, g *Gateway) {
			g.mark("WARNING: DATA RACE (written by the test)")
		}, "gateway A reported a data race"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTB{TB: t}
			g := New(ft, "A")
			g.Start(demo(t, filepath.Join(t.TempDir(), "vigil.db"), g.URL))
			tc.do(t, g)
			ft.runCleanups()
			if got := ft.String(); !ft.failed || !strings.Contains(got, tc.want) || !strings.Contains(got, "end of its log") {
				t.Errorf("cleanup reported (failed %v):\n%s\nwant %q and the log", ft.failed, got, tc.want)
			}
		})
	}
}

// fakeTB records failures and logs instead of reporting them, and runs
// cleanups when told.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	out      strings.Builder
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintf(&f.out, format+"\n", args...)
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	f.failed = true
	f.mu.Unlock()
	f.record(format, args...)
}

func (f *fakeTB) Logf(format string, args ...any) { f.record(format, args...) }

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func (f *fakeTB) runCleanups() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func (f *fakeTB) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.String()
}
