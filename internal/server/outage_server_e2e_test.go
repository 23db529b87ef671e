package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
)

// TestDatabaseServerStoppedAndStarted stops the PostgreSQL server itself
// (pg_ctl stop -m fast, on a private server: the shared one stays up) under
// two replicas, A with store.max_stale 8s and B with store.fail_closed, and
// starts it again. While it is down, cached sessions are served within each
// replica's bound and refused with 503 past it, B's first; a new sign-in
// gets a clear 503; readiness fails. When it is back, both replicas serve
// again without a restart, a new sign-in works, both LISTEN connections are
// back, and a revocation made through B is denied on A, with its reason.
func TestDatabaseServerStoppedAndStarted(t *testing.T) {
	pg := pgtest.Private(t)
	dsn := pgtest.WithParams(pg.DSN(), "connect_timeout", "2", "pool_max_conns", "4")
	const maxStale = 8 * time.Second
	a := startRisk(t, func(c *config.Config) {
		c.Store = config.Store{Driver: "postgres", DSN: dsn, MaxStale: config.Duration(maxStale)}
	})
	bCfg := *a.cfg
	bL := listenLoopback(t)
	bCfg.Server.PublicURL = publicURL(bL)
	bCfg.Store.FailClosed = true
	b := startReplica(t, bL, &bCfg)

	// One cookie jar: the session made through A goes to B too, as behind
	// one load balancer. B signs its assertions as itself, which the
	// upstream (trusting A) does not verify: on B only the status counts.
	alice, _ := a.browserFrom("")
	if resp := signInDemo(t, alice, a.public+"/", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	if code, _, body := status(t, alice, b.public+"/", "application/json"); code != 200 {
		t.Fatalf("the session on B: %s", describe(code, "", body))
	}
	eventually(t, "both replicas listening", func() (bool, string) {
		n := listeners(t, pg.DSN())
		return n == 2, describeListeners(n)
	})

	pg.Stop()
	stopped := time.Now()
	for _, r := range []string{a.public, b.public} {
		if code, _, body := status(t, alice, r+"/", "application/json"); code != 200 {
			t.Fatalf("cached session on %s just after the stop: %s", r, describe(code, "", body))
		}
	}
	bob, _ := a.browserFrom("")
	if code, body := signInStatus(t, bob, a.public+"/", "u2"); code != 503 || !strings.Contains(body, "database is not answering") {
		t.Fatalf("sign-in with the database stopped: HTTP %d: %.300s", code, body)
	}
	// Within max_stale A stays in the load balancer, saying it is degraded;
	// B, failing closed, soon is not ready.
	if code, _, body := status(t, alice, a.public+"/readyz", "text/plain"); code != 200 || !strings.Contains(body, "degraded: store: unavailable") {
		t.Fatalf("A's readiness with the database stopped, within max_stale: %s", describe(code, "", body))
	}

	// fail_closed: B refuses after a few seconds, while A, within its
	// max_stale, still serves.
	eventually(t, "B (fail_closed) refuses", func() (bool, string) {
		code, loc, body := status(t, alice, b.public+"/", "text/html")
		return code == 503 && strings.Contains(body, "session-store-stale"), describe(code, loc, body)
	})
	bRefused := time.Since(stopped)
	if code, _, body := status(t, alice, b.public+"/readyz", "text/plain"); code != 503 || !strings.Contains(body, "store: unavailable") {
		t.Fatalf("B's readiness once it refuses sessions: %s", describe(code, "", body))
	}
	if code, _ := getEcho(t, alice, a.public+"/", nil); code != 200 {
		t.Fatalf("A refused %s after the stop, with max_stale %s: HTTP %d", time.Since(stopped), maxStale, code)
	}
	eventually(t, "A refuses past max_stale", func() (bool, string) {
		code, loc, body := status(t, alice, a.public+"/", "text/html")
		return code == 503 && strings.Contains(body, "session-store-stale"), describe(code, loc, body)
	})
	aRefused := time.Since(stopped)
	if code, _, body := status(t, alice, a.public+"/readyz", "text/plain"); code != 503 || !strings.Contains(body, "change feed: not read within store.max_stale") {
		t.Fatalf("A's readiness past max_stale: %s", describe(code, "", body))
	}
	// The bound counts from the follower's last read of the feed, at most
	// its one-second interval before the stop.
	if aRefused < maxStale-1500*time.Millisecond {
		t.Fatalf("A refused after %s, well before max_stale (%s)", aRefused, maxStale)
	}

	pg.Start()
	restarted := time.Now()
	// The follower retries a failing feed with a backoff capped at 2 s:
	// recovery can take that long after the server is back.
	for _, r := range []string{a.public, b.public} {
		within(t, 30*time.Second, "served again on "+r, func() (bool, string) {
			code, loc, body := status(t, alice, r+"/", "application/json")
			return code == 200, describe(code, loc, body)
		})
	}
	recovered := time.Since(restarted)
	if resp := signInDemo(t, bob, a.public+"/", "u2"); resp.StatusCode != 200 {
		t.Fatalf("sign-in after the restart: HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	eventually(t, "both replicas listening again", func() (bool, string) {
		n := listeners(t, pg.DSN())
		return n == 2, describeListeners(n)
	})

	// A revocation through B reaches A through the feed, its reason too.
	req, _ := http.NewRequest("POST", b.public+"/.vigil/admin/api/sessions/revoke",
		strings.NewReader(`{"scope":"user","key":"u1@example.com","reason":"revoked after the restart"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	revoked := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 {
		t.Fatalf("revoke through B: HTTP %d: %s", resp.StatusCode, body)
	}
	eventually(t, "revocation through B denied on A", func() (bool, string) {
		code, loc, body := status(t, alice, a.public+"/", "text/html")
		return code == 401 && strings.Contains(body, "revoked after the restart"), describe(code, loc, body)
	})
	denied := time.Since(revoked)
	if code, ec := getEcho(t, bob, a.public+"/", nil); code != 200 || !ec.Verified || ec.Claims.Email != "u2@example.com" {
		t.Fatalf("another user's session after u1's revocation: HTTP %d %+v", code, ec.Claims)
	}
	t.Logf("B (fail_closed) refused %s after the stop, A (max_stale %s) %s; both served again %s after the start; "+
		"a revocation through B was denied on A %s after it was sent",
		bRefused.Round(10*time.Millisecond), maxStale, aRefused.Round(10*time.Millisecond), recovered.Round(10*time.Millisecond),
		denied.Round(time.Millisecond))
}

// signInStatus opens url as a browser, signs user in at the demo IdP and
// returns the final status and page.
func signInStatus(t *testing.T, c *http.Client, url, user string) (int, string) {
	t.Helper()
	page := get(t, c, url, "text/html", nil)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		body := readBody(t, page)
		t.Fatalf("expected the demo IdP's login page, got %s at %s", describe(page.StatusCode, "", body), page.Request.URL)
	}
	resp, err := demoidp.SubmitLogin(c, page, user, user+"-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// listeners counts the backends that LISTEN for the change feed's
// notifications (one per replica), as the server itself reports them.
func listeners(t *testing.T, dsn string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	// The Waiter's connection runs nothing else until it pings, after 30 s
	// idle: its last statement is the LISTEN.
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN vigil_changes'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func describeListeners(n int) string { return "listening backends: " + strconv.Itoa(n) }
