package server_test

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// replica is one gateway on the shared database, stoppable mid-test.
type replica struct {
	public string
	stop   func()
}

func startReplica(t *testing.T, l net.Listener, cfg *config.Config) *replica {
	t.Helper()
	logs := &syncBuffer{}
	_, stop := startServer(t, l, cfg, server.Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), AuditWriter: io.Discard})
	r := &replica{public: publicURL(l), stop: func() { stop() }}
	t.Cleanup(func() {
		r.stop()
		if t.Failed() {
			t.Logf("replica %s logs:\n%s", r.public, logs.String())
		}
	})
	return r
}

// fleet is what the replica tests share: a fresh PostgreSQL schema, n
// loopback listeners, the demo IdP with every one's callback registered,
// and one upstream (verifying the first replica's assertions).
type fleet struct {
	ls     []net.Listener
	issuer string
	dsn    string
	up     *upstream
}

func newFleet(t *testing.T, n int) *fleet {
	t.Helper()
	_, dsn := pgtest.Schema(t)
	idpL := listenLoopback(t)
	f := &fleet{dsn: dsn, issuer: "http://localhost:" + strconv.Itoa(idpL.Addr().(*net.TCPAddr).Port)}
	var redirects []string
	for range n {
		l := listenLoopback(t)
		f.ls = append(f.ls, l)
		redirects = append(redirects, publicURL(l)+"/.vigil/callback")
	}
	idp, err := demoidp.New(demoidp.Config{Issuer: f.issuer, Users: demoidp.DefaultUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []demoidp.Client{{ID: "vigil", Secret: "replica-secret", RedirectURIs: redirects}}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go idpSrv.Serve(idpL)
	t.Cleanup(func() { idpSrv.Close() })
	f.up = newUpstream(t, publicURL(f.ls[0]))
	return f
}

// config is a replica's own file: the demo provider, the echo app letting
// admins in, the shared database and the admin API.
func (f *fleet) config(l net.Listener, sharedConfig bool) *config.Config {
	c := gatewayConfig(publicURL(l), "", f.up.URL, []config.Provider{{
		Name: "demo", Issuer: f.issuer, ClientID: "vigil", ClientSecret: config.Secret{Value: "replica-secret"},
		Scopes: []string{"openid", "email", "profile", "groups"},
	}}, allowGroup("admins"))
	c.Store = config.Store{Driver: "postgres", DSN: f.dsn + "&pool_max_conns=4", SharedConfig: sharedConfig}
	c.Admin.Token = config.Secret{Value: adminToken}
	c.SetDefaults()
	return c
}

// TestThreeReplicasOnPostgreSQL runs three gateways on one PostgreSQL
// database, as behind a load balancer: a session made through A works on
// B and C; a revocation through C's admin API denies on A and B at once
// (LISTEN/NOTIFY); B is stopped and started again while A is under load,
// and no session is lost.
func TestThreeReplicasOnPostgreSQL(t *testing.T) {
	f := newFleet(t, 4) // A, B, C, B restarted
	ls := f.ls
	conf := func(l net.Listener) *config.Config { return f.config(l, false) }
	a, b, c := startReplica(t, ls[0], conf(ls[0])), startReplica(t, ls[1], conf(ls[1])), startReplica(t, ls[2], conf(ls[2]))

	// One cookie jar: cookies are per host, not per port, so the browser
	// carries the session to every replica, as behind one load balancer.
	alice := browser()
	if resp := signInDemo(t, alice, a.public+"/", "alice"); resp.StatusCode != 200 {
		t.Fatalf("sign-in through A: HTTP %d", resp.StatusCode)
	}
	for _, r := range []*replica{a, b, c} {
		// The upstream verifies A's issuer; B and C sign as themselves, so
		// only the status matters here.
		if code, _, body := status(t, alice, r.public+"/", "application/json"); code != 200 {
			t.Fatalf("session made through A on %s: %s", r.public, describe(code, "", body))
		}
	}

	// Load on A while B is stopped and started again on a new address.
	bob := browser()
	if resp := signInDemo(t, bob, a.public+"/", "alice"); resp.StatusCode != 200 {
		t.Fatalf("second session: HTTP %d", resp.StatusCode)
	}
	var failed, served atomic.Int64
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopLoad:
					return
				default:
				}
				resp, err := noFollow(bob).Get(a.public + "/load")
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				} else {
					served.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	b.stop()
	b2 := startReplica(t, ls[3], conf(ls[3]))
	if code, _, body := status(t, bob, b2.public+"/", "application/json"); code != 200 {
		t.Fatalf("the restarted replica lost the session: %s", describe(code, "", body))
	}
	close(stopLoad)
	wg.Wait()
	if failed.Load() != 0 || served.Load() == 0 {
		t.Fatalf("under load during B's restart: %d served, %d failed", served.Load(), failed.Load())
	}

	// Revoke alice's first session through C; A and the restarted B deny.
	req, _ := http.NewRequest("POST", c.public+"/.vigil/admin/api/sessions/revoke",
		strings.NewReader(`{"scope":"user","key":"alice@example.com","reason":"replica test"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != 200 {
		t.Fatalf("revoke through C: HTTP %d", resp.StatusCode)
	}
	// Where the session was cached (A and C served it) the refusal says
	// why; the restarted B never saw it, finds it gone in the store and
	// sends the browser to sign in.
	for _, r := range []*replica{a, c} {
		eventually(t, "denied on "+r.public, func() (bool, string) {
			code, loc, body := status(t, alice, r.public+"/", "text/html")
			return code == 401 && strings.Contains(body, "replica test"), describe(code, loc, body)
		})
	}
	for _, r := range []*replica{b2, a, c} {
		eventually(t, "bob's session of the same user denied on "+r.public, func() (bool, string) {
			code, loc, body := status(t, bob, r.public+"/", "text/html")
			return code == 401 || (code == 302 && strings.Contains(loc, "/.vigil/login")), describe(code, loc, body)
		})
	}
	if code, loc, body := status(t, alice, b2.public+"/", "text/html"); code != 302 || !strings.Contains(loc, "/.vigil/login") {
		t.Fatalf("restarted B: %s", describe(code, loc, body))
	}
}
