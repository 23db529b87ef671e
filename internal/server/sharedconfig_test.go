package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// sharedEnv is one gateway on a SQLite file with the admin API, and
// store.shared_config as the test says; other "replicas" open the same file.
type sharedEnv struct {
	public, issuer, upstream, db string
	cfg                          *config.Config
	srv                          *server.Server
	audit, logs                  *syncBuffer
}

func startShared(t *testing.T, shared bool) *sharedEnv {
	t.Helper()
	gwL, idpL := listenLoopback(t), listenLoopback(t)
	e := &sharedEnv{public: publicURL(gwL), db: filepath.Join(t.TempDir(), "vigil.db"), audit: &syncBuffer{}, logs: &syncBuffer{}}
	e.issuer = startUsersIdP(t, idpL, e.public, "vigil", "primary-secret")
	e.upstream = newUpstream(t, e.public).URL
	e.cfg = gatewayConfig(e.public, e.db, e.upstream, []config.Provider{{
		Name: "demo", Issuer: e.issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "primary-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"},
	}}, allowGroup("staff"))
	e.cfg.Admin.Token = config.Secret{Value: adminToken}
	e.cfg.Store.SharedConfig = shared
	var stop func() error
	e.srv, stop = startServer(t, gwL, e.cfg, server.Options{Logger: slog.New(slog.NewTextHandler(e.logs, nil)), AuditWriter: e.audit})
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("server logs:\n%s", e.logs.String())
		}
	})
	return e
}

// doc is a shared document with the demo provider and the echo app under
// rule (a YAML flow mapping).
func (e *sharedEnv) doc(rule string) string {
	return fmt.Sprintf(`providers:
  - name: demo
    issuer: %s
    client_id: vigil
    client_secret: {value: primary-secret}
    scopes: [openid, email, profile, groups]
apps:
  - name: echo
    upstream: %s
    policies: [%s]
`, e.issuer, e.upstream, rule)
}

const (
	bypassRule = "{name: open, action: bypass, include: [{everyone: true}]}"
	staffRule  = "{name: staff, action: allow, include: [{group: staff}]}"
)

// anonymous is the status of a request without a session: 401 under a
// rule for signed-in users, 200 once the app is bypassed.
func (e *sharedEnv) anonymous(t *testing.T) int {
	t.Helper()
	code, _, _ := status(t, browser(), e.public+"/", "application/json")
	return code
}

// metric reads one unlabelled series.
func metric(t *testing.T, srv *server.Server, name string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	sc := bufio.NewScanner(bytes.NewReader(rec.Body.Bytes()))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return v
		}
	}
	return "absent"
}

// TestSharedConfigOff: a replica without store.shared_config reports that
// it runs its file and refuses a push, which would reach no one.
func TestSharedConfigOff(t *testing.T) {
	e := startShared(t, false)
	if st := readConfigStatus(t, e.public); st.SharedConfig || st.Running.Source != "file" || st.Running.Version != 0 {
		t.Fatalf("status: %+v", st)
	}
	code, body := adminCall(t, e.public, "PUT", "/config", "application/yaml", e.doc(bypassRule))
	if code != 409 || !strings.Contains(body, "store.shared_config") {
		t.Fatalf("push: HTTP %d %s", code, body)
	}
	if e.anonymous(t) != 401 {
		t.Fatal("a refused push changed the policy")
	}
	if got := metric(t, e.srv, "vigil_config_version"); got != "0" {
		t.Errorf("vigil_config_version %s", got)
	}
}

// TestSharedConfigLifecycle follows one replica (and others started on
// its SQLite file) through pushes, a burst, SIGHUP, a version that needs
// a restart and a version that does not apply at all.
func TestSharedConfigLifecycle(t *testing.T) {
	e := startShared(t, true)
	if e.anonymous(t) != 401 {
		t.Fatal("the file's policy does not apply before any push")
	}

	// The API's edges.
	for _, tc := range []struct {
		name, method, path, ctype, body string
		code                            int
		want                            string
	}{
		{"JSON is not YAML's type", "PUT", "/config", "application/json", e.doc(bypassRule), 400, "application/yaml"},
		{"too large", "PUT", "/config", "application/yaml", "#" + strings.Repeat("x", 1<<20), 413, "too-large"},
		{"bad allow_restart", "PUT", "/config?allow_restart=maybe", "application/yaml", e.doc(bypassRule), 400, "allow_restart"},
		{"empty", "PUT", "/config", "", "", 422, "empty"},
		{"no such version", "GET", "/config/versions/99", "", "", 404, "no stored version 99"},
		{"not a version", "GET", "/config/versions/x", "", "", 400, "positive number"},
	} {
		if code, body := adminCall(t, e.public, tc.method, tc.path, tc.ctype, tc.body); code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: HTTP %d %s, want %d with %q", tc.name, code, body, tc.code, tc.want)
		}
	}

	code, body := adminCall(t, e.public, "PUT", "/config", "application/yaml", "session: {idle_timeout: 2h}\n"+e.doc(bypassRule))
	if code != 200 || !strings.Contains(body, `"version": 1`) || !strings.Contains(body, `"applied": true`) || !strings.Contains(body, `"session"`) {
		t.Fatalf("push: HTTP %d %s", code, body)
	}
	// Applied on the pushing replica before the answer.
	if got := e.anonymous(t); got != 200 {
		t.Fatalf("after the push: HTTP %d", got)
	}
	code, body = adminCall(t, e.public, "GET", "/config/versions/1", "", "")
	if code != 200 || !strings.Contains(body, "bypass") || strings.Contains(body, "idle_timeout") {
		t.Fatalf("version 1: HTTP %d %s", code, body)
	}
	if got := metric(t, e.srv, "vigil_config_version"); got != "1" {
		t.Errorf("vigil_config_version %s", got)
	}
	eventually(t, "the push audited", func() (bool, string) {
		s := e.audit.String()
		return strings.Contains(s, `"kind":"config","decision":"config-push"`) && strings.Contains(s, `"actor":"admin:shared-config-test"`) &&
			strings.Contains(s, "per-replica sections ignored: session"), s
	})

	// SIGHUP: the file's per-replica sections change, its apps do not come back.
	file := *e.cfg
	file.Server.TrustedProxies = []string{"10.0.0.0/8"}
	file.Apps = []config.App{{Name: "echo", PathPrefix: "/", Upstream: e.upstream, Policies: allowGroup("nobody")}}
	if err := e.srv.Reload(context.Background(), &file); err != nil {
		t.Fatal(err)
	}
	if got := e.anonymous(t); got != 200 || e.srv.Config().Server.TrustedProxies[0] != "10.0.0.0/8" || e.srv.ConfigSource() != "shared version 1" {
		t.Fatalf("after SIGHUP: HTTP %d, proxies %v, %s", got, e.srv.Config().Server.TrustedProxies, e.srv.ConfigSource())
	}

	// Another process stores a burst of versions; the replica ends on the last.
	db, err := sqlite.Open(t.Context(), e.db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 2; i <= 6; i++ {
		if _, err := db.PutConfig(t.Context(), []byte(fmt.Sprintf("# burst %d\n%s", i, e.doc(bypassRule))), "test", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the burst's last version applied", func() (bool, string) {
		st := readConfigStatus(t, e.public)
		return st.Running.Version == 6, fmt.Sprintf("%+v", st)
	})
	t.Logf("applies for 5 versions stored at once: %d", strings.Count(e.logs.String(), "shared configuration applied")-1)

	// A part built at start: refused, unless stored on purpose for restarts.
	restart := e.doc(bypassRule) + "risk: {detectors: {travel_speed_kmh: 500}}\n"
	if code, body := adminCall(t, e.public, "PUT", "/config", "application/yaml", restart); code != 422 || !strings.Contains(body, "allow_restart") {
		t.Fatalf("restart-only change: HTTP %d %s", code, body)
	}
	code, body = adminCall(t, e.public, "PUT", "/config?allow_restart=true", "application/yaml", restart)
	if code != 200 || !strings.Contains(body, `"version": 7`) || !strings.Contains(body, `"applied": false`) || !strings.Contains(body, "need a restart") {
		t.Fatalf("restart-only change with allow_restart: HTTP %d %s", code, body)
	}
	if st := readConfigStatus(t, e.public); st.Running.Version != 6 || st.LastFailure == nil || st.LastFailure.Version != 7 {
		t.Fatalf("status after version 7: %+v", st)
	}
	// A replica (re)started now takes it.
	other, err := server.New(t.Context(), e.cfg, server.Options{AuditWriter: io.Discard})
	if err != nil {
		t.Fatalf("starting on version 7: %v", err)
	}
	if other.ConfigSource() != "shared version 7" || other.Config().Risk.Detectors.TravelSpeedKMH != 500 {
		t.Errorf("started on %s with %+v", other.ConfigSource(), other.Config().Risk.Detectors)
	}
	other.Close()

	// A version this replica cannot run: kept out, reported, counted.
	broken := strings.Replace(e.doc(bypassRule), "{everyone: true}", `{cel: "user.email +"}`, 1)
	if _, err := db.PutConfig(t.Context(), []byte(broken), "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "version 8 reported as failed", func() (bool, string) {
		st := readConfigStatus(t, e.public)
		return st.LastFailure != nil && st.LastFailure.Version == 8 &&
			strings.Contains(strings.Join(st.LastFailure.Problems, "\n"), "apps[0].policies[0].include[0].cel"), fmt.Sprintf("%+v", st)
	})
	if got := e.anonymous(t); got != 200 || metric(t, e.srv, "vigil_config_apply_failures_total") != "2" || metric(t, e.srv, "vigil_config_version") != "6" {
		t.Fatalf("after version 8: HTTP %d, failures %s, version %s", got,
			metric(t, e.srv, "vigil_config_apply_failures_total"), metric(t, e.srv, "vigil_config_version"))
	}
	// Fail closed: a replica does not start on an older policy instead.
	if _, err := server.New(t.Context(), e.cfg, server.Options{AuditWriter: io.Discard}); err == nil ||
		!strings.Contains(err.Error(), "shared configuration version 8") || !strings.Contains(err.Error(), "include[0].cel") {
		t.Fatalf("starting on version 8: %v", err)
	}
}
