package replicas

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/store/postgres/pgtest"
	"github.com/vigil-gw/vigil/internal/testenv/vigilproc"
)

// revocationBound is how long a revocation may take to reach every
// gateway. The change feed usually takes milliseconds; the bound is
// generous for a loaded CI machine, and the test logs what it measured.
const revocationBound = 5 * time.Second

// TestThreeProcessesOnPostgreSQL runs three `vigil serve` processes, A, B
// and C, on one PostgreSQL database, as behind a load balancer:
//
//   - a session made through any gateway works on the others;
//   - B is SIGKILLed and started again on its address while users keep
//     working through A and C, none of whose requests fails, and every
//     session made before works on the new B;
//   - a user's sessions revoked through C's admin API are refused by A, B
//     and C within revocationBound, and every other user's still work.
func TestThreeProcessesOnPostgreSQL(t *testing.T) {
	pgtest.Parallel(t)
	c := newCluster(t, "A", "B", "C")
	a, b, cc := c.gw["A"], c.gw["B"], c.gw["C"]
	all := []*vigilproc.Gateway{a, b, cc}

	// Sign-ins spread over the gateways; each session then works on all.
	for i, u := range c.users {
		g := all[i%len(all)]
		if err := u.signIn(g.URL); err != nil {
			t.Fatalf("%s signing in through %s: %v", u.Email, g.Name, err)
		}
	}
	c.checkSessions(t, c.users, all, "after signing in")

	// B crashes and comes back while A and C serve.
	l := startLoad(4, c.users, a, cc)
	if !l.waitServed(40, 10*time.Second) {
		l.end()
		t.Fatalf("load through A and C: %d served in 10 s, %d failed: %v", l.total(), l.failed.Load(), l.failures)
	}
	killedAt, servedAtKill := time.Now(), l.total()
	b.Kill()
	if ans := c.users[0].get(b.URL, "/", "application/json"); ans.err == nil {
		t.Errorf("B answers after SIGKILL: %s", ans)
	}
	// Users keep working while B is gone, not only while it starts again.
	l.waitServed(20, 5*time.Second)
	b.Restart()
	down, servedWhileDown := time.Since(killedAt), l.total()-servedAtKill
	l.waitServed(40, 2*time.Second)
	l.end()
	t.Logf("load through A and C while B was killed and restarted: %d served (A %d, C %d; %d while B was down for %v), %d failed",
		l.total(), l.served["A"].Load(), l.served["C"].Load(), servedWhileDown, down.Round(time.Millisecond), l.failed.Load())
	if n := l.failed.Load(); n > 0 {
		t.Errorf("%d requests through A and C failed while B was killed and restarted; the first: %s",
			n, strings.Join(l.failures, "\n"))
	}
	if servedWhileDown == 0 || l.served["A"].Load() == 0 || l.served["C"].Load() == 0 {
		t.Errorf("the load did not cover B's absence on both A and C (%d while down, A %d, C %d)",
			servedWhileDown, l.served["A"].Load(), l.served["C"].Load())
	}
	c.checkSessions(t, c.users, all, "after B was killed and restarted")

	// One user's sessions revoked through C. Every gateway has served
	// them since B's restart, so each holds them in its cache, and a
	// cached session's refusal names the reason. The gateways are polled
	// from before the call, so that the times measure the change feed.
	victim, others := c.users[4], append(append([]*user{}, c.users[:4]...), c.users[5:]...)
	const reason = "replica test revocation"
	start := time.Now()
	refusals := watchSignedOut(victim, all, reason, start)
	n := c.revokeUser(t, cc, victim.Email, reason)
	took := time.Since(start)
	if n != 1 {
		t.Errorf("revoking %s through C ended %d sessions, want 1", victim.Email, n)
	}
	for _, r := range <-refusals {
		switch r.how {
		case "":
			t.Errorf("%s still served by %s %v after the revocation through C: %s", victim.Email, r.gw, revocationBound, r.last)
		case refusedWithReason:
			t.Logf("revocation through C (the API call took %v): %s refused by %s %v after the call began",
				took.Round(time.Millisecond), victim.Email, r.gw, r.after.Round(time.Millisecond))
		default:
			t.Errorf("%s refused by %s with %s, not the page naming the reason: %s", victim.Email, r.gw, r.how, r.last)
		}
	}
	c.checkSessions(t, others, all, "after another user's revocation")
	for _, g := range all {
		if a := victim.get(g.URL, "/", "text/html"); !isSignedOut(a, reason) {
			t.Errorf("%s's revoked session served again by %s: %s", victim.Email, g.Name, a)
		}
	}
}

// checkSessions checks that every user's session works on every gateway.
func (c *cluster) checkSessions(t *testing.T, users []*user, gws []*vigilproc.Gateway, when string) {
	t.Helper()
	for _, u := range users {
		for _, g := range gws {
			if bad := u.served(u.get(g.URL, "/", "application/json"), g.Name); bad != "" {
				t.Errorf("%s: %s's session through %s: %s", when, u.Email, g.Name, bad)
			}
		}
	}
}

// revokeUser revokes every session of the user with address email
// through g's admin API and returns how many ended.
func (c *cluster) revokeUser(t *testing.T, g *vigilproc.Gateway, email, reason string) int {
	t.Helper()
	api := &admin.Client{Base: g.URL, Token: c.adminToken, Actor: "replicas test", HTTP: &http.Client{Timeout: 10 * time.Second}}
	var out struct {
		Revoked int `json:"revoked"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := api.Call(ctx, http.MethodPost, "/sessions/revoke",
		map[string]string{"scope": "user", "key": email, "reason": reason}, &out)
	if err != nil {
		t.Fatalf("revoking %s through %s: %v", email, g.Name, err)
	}
	return out.Revoked
}

// refusal is when and how a gateway first refused a revoked session.
type refusal struct {
	gw    string
	how   string        // "" if it never did
	after time.Duration // since the revocation was asked for
	last  answer        // the last answer seen
}

// watchSignedOut polls every gateway at once until each refuses u's
// session as signed out, or revocationBound passes since since; the
// channel gives the outcomes, in the order of gws.
func watchSignedOut(u *user, gws []*vigilproc.Gateway, reason string, since time.Time) <-chan []refusal {
	out := make([]refusal, len(gws))
	done := make(chan []refusal, 1)
	var wg sync.WaitGroup
	for i, g := range gws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &out[i]
			r.gw = g.Name
			for time.Since(since) < revocationBound {
				r.last = u.get(g.URL, "/", "text/html")
				if how := signedOut(r.last, reason); how != "" {
					r.how, r.after = how, time.Since(since)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	go func() {
		wg.Wait()
		done <- out
	}()
	return done
}
