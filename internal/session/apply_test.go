package session

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// applyEnv has three cached sessions: two of ada and one of bob at corp,
// and one of cy at partner.
type applyEnv struct {
	*env
	values map[string]string // name -> cookie value
	ids    map[string]string // name -> session ID
	hooked []string
}

func newApplyEnv(t testing.TB) *applyEnv {
	a := &applyEnv{env: newEnv(t, nil), values: map[string]string{}, ids: map[string]string{}}
	var mu sync.Mutex
	a.m.OnRevoke(func(id string) { mu.Lock(); a.hooked = append(a.hooked, id); mu.Unlock() })
	for name, sub := range map[string]string{"ada1": "ada", "ada2": "ada", "bob": "bob", "cy": "cy"} {
		id := ident(sub)
		if name == "cy" {
			id.Provider = "partner"
		}
		v, s, err := a.m.Create(t.Context(), id, Meta{})
		if err != nil {
			t.Fatal(err)
		}
		a.values[name], a.ids[name] = v, s.ID
	}
	return a
}

func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name           string
		kind, key      string // key "$x" stands for session x's ID
		denied, reload []string
	}{
		{"session revoked", store.ChangeSessionRevoked, "$ada1", []string{"ada1"}, nil},
		{"user revoked", store.ChangeUserRevoked, UserID("corp", "ada"), []string{"ada1", "ada2"}, nil},
		{"provider revoked", store.ChangeProviderRevoked, "corp", []string{"ada1", "ada2", "bob"}, nil},
		{"session updated", store.ChangeSessionUpdated, "$bob", nil, []string{"bob"}},
		{"app revoked: not ours", store.ChangeAppRevoked, "wiki", nil, nil},
		{"risk: not ours", store.ChangeRisk, UserID("corp", "ada"), nil, nil},
		{"unknown kind", "future-kind", "$ada1", nil, nil},
		{"empty key", store.ChangeProviderRevoked, "", nil, nil},
		{"unknown session", store.ChangeSessionRevoked, "no-such-session", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApplyEnv(t)
			key := tc.key
			if name, ok := strings.CutPrefix(key, "$"); ok {
				key = a.ids[name]
			}
			a.m.Apply(store.Change{Seq: 1, Kind: tc.kind, Key: key, At: a.clock.Now()})
			var wantHooks []string
			for _, name := range append(slices.Clone(tc.denied), tc.reload...) {
				wantHooks = append(wantHooks, a.ids[name])
			}
			if tc.kind == store.ChangeSessionRevoked && key != "" && len(tc.denied) == 0 {
				wantHooks = []string{key} // hooks hear of sessions this replica never cached
			}
			slices.Sort(wantHooks)
			slices.Sort(a.hooked)
			if !slices.Equal(a.hooked, wantHooks) {
				t.Errorf("hooks saw %v, want %v", a.hooked, wantHooks)
			}
			for name, v := range a.values {
				before := a.st.calls.Load()
				_, err := a.m.Lookup(t.Context(), v)
				calls := a.st.calls.Load() - before
				switch {
				case slices.Contains(tc.denied, name):
					// Refused from memory: the store still has it here, as
					// on a replica whose feed runs ahead of its reads.
					if !errors.Is(err, ErrNoSession) || calls != 0 {
						t.Errorf("%s: Lookup = %v with %d store calls; want ErrNoSession with none", name, err, calls)
					}
				case slices.Contains(tc.reload, name):
					if err != nil || calls != 1 {
						t.Errorf("%s: Lookup = %v with %d store calls; want a reload", name, err, calls)
					}
				default:
					if err != nil || calls != 0 {
						t.Errorf("%s: Lookup = %v with %d store calls; want served from cache", name, err, calls)
					}
				}
			}
		})
	}
}

// A lookup that read the store just before a user's sessions were deleted
// elsewhere must not cache (or serve) the session once the change applies.
func TestApplyDuringLoad(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	v, _ := e.create(t, e.m, "ada")
	cold := e.manager(t, nil)
	var once sync.Once
	e.st.afterGet = func() {
		once.Do(func() {
			if _, err := e.db.DeleteUserSessions(ctx, UserID("corp", "ada")); err != nil {
				t.Errorf("DeleteUserSessions: %v", err)
			}
			cold.Apply(store.Change{Seq: 1, Kind: store.ChangeUserRevoked, Key: UserID("corp", "ada")})
		})
	}
	if _, err := cold.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup racing a user revocation = %v; want ErrNoSession", err)
	}
	if len(cold.cache) != 0 {
		t.Fatal("revoked session was cached")
	}
}

func TestResync(t *testing.T) {
	a := newApplyEnv(t)
	ctx := t.Context()
	a.clock.Advance(2 * time.Second)
	if _, err := a.m.Lookup(ctx, a.values["bob"]); err != nil { // makes bob's last-seen dirty
		t.Fatal(err)
	}
	if err := a.m.Revoke(ctx, a.ids["cy"]); err != nil {
		t.Fatal(err)
	}
	a.hooked = nil
	a.m.Resync()
	if len(a.hooked) != 3 || len(a.m.cache) != 0 {
		t.Fatalf("Resync ran hooks for %d sessions and left %d cached; want 3 and 0", len(a.hooked), len(a.m.cache))
	}
	if err := a.m.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s, err := a.db.GetSession(ctx, a.ids["bob"]); err != nil || !s.LastSeenAt.Equal(a.clock.Now()) {
		t.Fatalf("bob's last-seen after Resync and Flush = %v, %v; want %v", s, err, a.clock.Now())
	}
	for name, v := range a.values {
		_, err := a.m.Lookup(ctx, v)
		if name == "cy" != errors.Is(err, ErrNoSession) {
			t.Errorf("%s: Lookup after Resync = %v", name, err)
		}
	}
}

func FuzzApply(f *testing.F) {
	f.Add(store.ChangeSessionRevoked, "$session")
	f.Add(store.ChangeUserRevoked, "$user")
	f.Add(store.ChangeProviderRevoked, "$provider")
	f.Add(store.ChangeProviderRevoked, "partner")
	f.Add(store.ChangeSessionUpdated, "$session")
	f.Add(store.ChangeSessionRevoked, "$ada1")
	f.Add("risk", "")
	a := newApplyEnv(f)
	f.Fuzz(func(t *testing.T, kind, key string) {
		// A fresh session each time, so that earlier inputs do not decide.
		v, s, err := a.m.Create(t.Context(), ident("fz"), Meta{})
		if err != nil {
			t.Fatal(err)
		}
		switch name, _ := strings.CutPrefix(key, "$"); {
		case key == "$session":
			key = s.ID
		case key == "$user":
			key = s.UserID
		case key == "$provider":
			key = s.Provider
		case a.ids[name] != "":
			key = a.ids[name]
		}
		a.m.Apply(store.Change{Kind: kind, Key: key})
		hit := key != "" && (kind == store.ChangeSessionRevoked && key == s.ID ||
			kind == store.ChangeUserRevoked && key == s.UserID ||
			kind == store.ChangeProviderRevoked && key == s.Provider)
		_, err = a.m.Lookup(t.Context(), v)
		if hit != errors.Is(err, ErrNoSession) || (!hit && err != nil) {
			t.Fatalf("Apply(%q, %q) then Lookup = %v; revoked: %v", kind, key, err, hit)
		}
	})
}

// replica is one gateway's view of a shared SQLite file: its own handle,
// manager and follower woken by data_version.
type replica struct {
	db *sqlite.DB
	st *countingStore
	m  *Manager
	f  *changes.Follower
}

func startReplica(t testing.TB, path string, clock func() time.Time) *replica {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &replica{db: db, st: &countingStore{Store: db}}
	r.m, err = New(Options{Store: r.st, Clock: clock, MasterSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.NewWaiter(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// An hour: only the Waiter can make propagation prompt.
	r.f, err = changes.New(changes.Options{Source: db, Waker: w, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r.f.Subscribe(r.m.Apply)
	r.f.OnResync(func() error { r.m.Resync(); return nil })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.f.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitUntil(t, "follower ready", r.f.Ready)
	return r
}

// waitUntil polls cond with a generous deadline (the machine is busy).
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Revoked through one replica, denied by another on its next lookup,
// through the change feed alone.
func TestRevokeAcrossReplicas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigil.db")
	clk := newClock()
	a := startReplica(t, path, clk.Now)
	b := startReplica(t, path, clk.Now)
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		revoke func(s *store.Session) error
	}{
		{"session", func(s *store.Session) error { return a.m.Revoke(ctx, s.ID) }},
		{"user", func(s *store.Session) error { _, err := a.m.RevokeUser(ctx, s.UserID); return err }},
		{"provider", func(s *store.Session) error { _, err := a.db.DeleteProviderSessions(ctx, s.Provider); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, s, err := a.m.Create(ctx, ident("ada-"+tc.name), Meta{})
			if err != nil {
				t.Fatal(err)
			}
			other := ident("bob-" + tc.name)
			other.Provider = "partner"
			ov, _, err := a.m.Create(ctx, other, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []string{v, ov, v, ov} {
				if _, err := b.m.Lookup(ctx, v); err != nil {
					t.Fatalf("B: Lookup before revocation: %v", err)
				}
			}
			before := b.st.calls.Load()
			if _, err := b.m.Lookup(ctx, v); err != nil || b.st.calls.Load() != before {
				t.Fatal("B must serve the session from its cache, or this test proves nothing")
			}
			if err := tc.revoke(s); err != nil {
				t.Fatalf("revoke through A: %v", err)
			}
			waitUntil(t, "B to deny the revoked session", func() bool {
				_, err := b.m.Lookup(ctx, v)
				return errors.Is(err, ErrNoSession)
			})
			before = b.st.calls.Load()
			if _, err := b.m.Lookup(ctx, ov); err != nil || b.st.calls.Load() != before {
				t.Fatalf("B: unrelated session = %v (store calls %d); want served from cache", err, b.st.calls.Load()-before)
			}
		})
	}
}

// replicaEnv names the database a re-executed test binary serves as
// replica B (TestHelperProcess).
const replicaEnv = "VIGIL_TEST_REPLICA_DB"

// TestHelperProcess is replica B in its own process. On stdin it takes
// "watch <cookie>": it looks the session up (caching it) and answers
// "watching"; when, right after a change from the feed is applied, a
// lookup of the watched session is denied, it prints "denied". That is
// the moment its next request would have been refused.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(replicaEnv)
	if path == "" {
		t.Skip("replica B for TestRevokePropagation, run only as a child process")
	}
	r := startReplica(t, path, time.Now)
	var (
		outMu   sync.Mutex
		watched atomic.Pointer[string]
	)
	say := func(line string) { outMu.Lock(); fmt.Println(line); outMu.Unlock() }
	r.f.Subscribe(func(store.Change) { // after r.m.Apply, subscribed first
		if v := watched.Load(); v != nil {
			if _, err := r.m.Lookup(t.Context(), *v); errors.Is(err, ErrNoSession) && watched.CompareAndSwap(v, nil) {
				say("denied")
			}
		}
	})
	say("ready")
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<16)
	for in.Scan() {
		v, ok := strings.CutPrefix(in.Text(), "watch ")
		if !ok {
			break
		}
		if _, err := r.m.Lookup(t.Context(), v); err != nil {
			say("error " + err.Error())
			continue
		}
		watched.Store(&v)
		say("watching")
	}
}

// propagation drives replica B in a child process: each trial creates a
// session through A, has B cache it, revokes it through A (by session,
// user and provider in turn) and times until B reports it denied.
type propagation struct {
	a     *replica
	in    io.Writer
	lines chan string
	n     int
}

func startPropagation(tb testing.TB) *propagation {
	path := filepath.Join(tb.TempDir(), "vigil.db")
	p := &propagation{lines: make(chan string, 16)}
	// A needs no follower to revoke, but starting one opens the schema
	// before the child does.
	p.a = startReplica(tb, path, time.Now)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), replicaEnv+"="+path)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill() // the child we started, by its handle
			<-done
		}
	})
	p.in = in
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	p.expect(tb, "ready")
	return p
}

func (p *propagation) expect(tb testing.TB, want string) {
	tb.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				tb.Fatalf("replica B exited while we waited for %q", want)
			}
			if line == want {
				return
			}
			if line != "" && !strings.HasPrefix(line, "PASS") && !strings.HasPrefix(line, "ok") {
				tb.Fatalf("replica B said %q, want %q", line, want)
			}
		case <-deadline.C:
			tb.Fatalf("replica B did not say %q within 10s", want)
		}
	}
}

// trial returns the time from the revoke call to B's denial.
func (p *propagation) trial(tb testing.TB) time.Duration {
	ctx := tb.Context()
	p.n++
	v, s, err := p.a.m.Create(ctx, ident(fmt.Sprint("user-", p.n)), Meta{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := fmt.Fprintf(p.in, "watch %s\n", v); err != nil {
		tb.Fatal(err)
	}
	p.expect(tb, "watching")
	start := time.Now()
	switch p.n % 3 {
	case 0:
		err = p.a.m.Revoke(ctx, s.ID)
	case 1:
		_, err = p.a.m.RevokeUser(ctx, s.UserID)
	case 2:
		_, err = p.a.db.DeleteProviderSessions(ctx, s.Provider)
	}
	if err != nil {
		tb.Fatal(err)
	}
	p.expect(tb, "denied")
	return time.Since(start)
}

func percentile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, int(float64(len(s))*q+0.999999)-1)]
}

func TestRevokePropagation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process and runs 200 revocations")
	}
	p := startPropagation(t)
	var ds []time.Duration
	for range 200 {
		ds = append(ds, p.trial(t))
	}
	t.Logf("revoke -> denial on a second process, %d trials (session, user, provider): p50 %v, p99 %v, max %v",
		len(ds), percentile(ds, 0.50), percentile(ds, 0.99), slices.Max(ds))
}

// BenchmarkRevokePropagation reports revoke-to-denial latency on a second
// process; run with -benchtime=200x for the figure the issue asks for.
func BenchmarkRevokePropagation(b *testing.B) {
	p := startPropagation(b)
	var ds []time.Duration
	for b.Loop() {
		ds = append(ds, p.trial(b))
	}
	b.ReportMetric(float64(percentile(ds, 0.50))/1e6, "p50-ms")
	b.ReportMetric(float64(percentile(ds, 0.99))/1e6, "p99-ms")
}
