package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/session"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// memResult is the Go heap that n cached sessions hold.
type memResult struct {
	n         int
	heapDelta int64 // HeapAlloc after minus before, both after a full GC
	idToken   int   // length of one session's raw ID token, 0 if none
}

func (m memResult) perSession() float64 { return float64(m.heapDelta) / float64(m.n) }

// countingStore counts the session reads that reach the store: once the
// sessions are made, looking them up must cost none (they are cached).
type countingStore struct {
	session.Store
	gets atomic.Int64
}

func (c *countingStore) GetSession(ctx context.Context, id string) (*store.Session, error) {
	c.gets.Add(1)
	return c.Store.GetSession(ctx, id)
}

// sampleEvery keeps one cookie in so many for the cache check; keeping
// them all would add their own bytes to the measurement.
const sampleEvery = 1000

// measureSessions creates n sessions through a real session.Manager over a
// real SQLite store in a temporary directory, as sign-ins do, and measures
// how much Go heap the manager holds for them (its cache). The SQLite page
// cache is bounded and not per session, so it is not part of the answer.
func measureSessions(ctx context.Context, n int, sh shape) (memResult, error) {
	if n < 1 {
		return memResult{}, errors.New("session count must be at least 1")
	}
	dir, err := os.MkdirTemp("", "vigil-bench-sessions-")
	if err != nil {
		return memResult{}, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "vigil.db"), sqlite.Options{})
	if err != nil {
		return memResult{}, err
	}
	defer db.Close()
	secret := make([]byte, 48)
	if _, err := rand.Read(secret); err != nil {
		return memResult{}, err
	}
	cs := &countingStore{Store: db}
	// A cache as large as the population, so that nothing is evicted.
	m, err := session.New(session.Options{Store: cs, MasterSecret: secret, CacheSize: n,
		Clock: time.Now, Rand: rand.Reader})
	if err != nil {
		return memResult{}, err
	}
	defer m.Close(context.WithoutCancel(ctx))
	// As the gateway does: the cache keeps the claims the bench's policy
	// reads (its "dept" rule reads department), the store all of them.
	pol, err := policy.Compile(benchConfig("http://127.0.0.1", "http://127.0.0.1", "http://127.0.0.1", "x", "x", "off").Apps[0].Policies, "bench")
	if err != nil {
		return memResult{}, err
	}
	refs := pol.Claims()
	m.KeepClaims(refs.Names, refs.All)

	before := heapAfterGC()
	samples, idTokenLen, err := createSessions(ctx, m, n, sh)
	if err != nil {
		return memResult{}, err
	}
	after := heapAfterGC()
	runtime.KeepAlive(m)
	res := memResult{n: n, heapDelta: int64(after) - int64(before), idToken: idTokenLen}

	// Every sampled session must be answered from the cache.
	for _, c := range samples {
		if _, err := m.Lookup(ctx, c); err != nil {
			return res, fmt.Errorf("looking up a created session: %w", err)
		}
	}
	if g := cs.gets.Load(); g != 0 {
		return res, fmt.Errorf("%d of %d sampled sessions were not cached (store reads)", g, len(samples))
	}
	return res, nil
}

// createSessions makes n sign-ins with a few workers (the store has one
// writer, but token and identity work runs beside it) and returns a sample
// of their cookies and the length of one raw ID token.
func createSessions(ctx context.Context, m *session.Manager, n int, sh shape) ([]string, int, error) {
	var (
		next    atomic.Int64
		mu      sync.Mutex
		samples []string
		idLen   int
		errs    []error
		wg      sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) + 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				p, err := newSignIn(i, time.Now(), rand.Reader, sh)
				var cookie string
				if err == nil {
					cookie, _, err = m.Create(ctx, p.id, p.meta)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("session %d: %w", i, err))
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
				if i%sampleEvery == 0 {
					mu.Lock()
					samples = append(samples, cookie)
					idLen = len(p.meta.IDToken)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return nil, 0, err
	}
	return samples, idLen, nil
}

// heapAfterGC is HeapAlloc after two full collections (the second frees
// what sync.Pool victim caches still held after the first).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// memoryReport measures n sessions and n/10 (to show that the cost is per
// session, not a fixed overhead), and at n/10 what the raw ID token and
// the kept claim map cost. It returns the bytes per session at n.
func memoryReport(ctx context.Context, n int) (int64, error) {
	small := max(n/10, 1)
	type run struct {
		label string
		n     int
		sh    shape
	}
	runs := []run{
		{fmt.Sprintf("%d sessions", small), small, fullShape},
		{fmt.Sprintf("%d sessions", n), n, fullShape},
		{fmt.Sprintf("%d, sign-ins without ID token", small), small, shape{claims: true}},
		{fmt.Sprintf("%d, sign-ins without claims", small), small, shape{}},
	}
	fmt.Printf("session memory (Go heap held by session.Manager's cache over SQLite; realistic sign-ins):\n")
	var perN int64
	for i, r := range runs {
		t0 := time.Now()
		res, err := measureSessions(ctx, r.n, r.sh)
		if err != nil {
			return 0, fmt.Errorf("session memory, %s: %w", r.label, err)
		}
		note := ""
		if r.sh.idToken {
			note = fmt.Sprintf(" (raw ID token %d bytes)", res.idToken)
		}
		if i >= 2 {
			note = " (for comparison: the cache drops the ID token and unread claims itself)"
		}
		fmt.Printf("  %-34s %7.0f bytes/session, heap +%.1f MiB, %s%s\n",
			r.label, res.perSession(), float64(res.heapDelta)/(1<<20), time.Since(t0).Round(100*time.Millisecond), note)
		if r.n == n && r.sh == fullShape {
			perN = int64(res.perSession() + 0.5)
		}
	}
	return perN, nil
}
