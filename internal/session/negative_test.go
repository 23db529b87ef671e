package session

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// zeroReader makes every token (and so every session ID) the same: the
// only way to test a collision between a gone session and a new one.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// unknownCookie is an authentic cookie for a session that never existed.
func unknownCookie(t testing.TB, c *codec, i int) string {
	t.Helper()
	var tok token
	tok[0], tok[1] = byte(i), byte(i>>8)
	v, err := c.encode(tok, bytes.NewReader(bytes.Repeat([]byte{9}, nonceLen)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// lookups runs n lookups of v on m, each of which must be ErrNoSession,
// and returns how many store calls they made.
func (e *env) lookups(t *testing.T, m *Manager, v string, n int) int64 {
	t.Helper()
	before := e.st.calls.Load()
	for range n {
		if s, err := m.Lookup(t.Context(), v); !errors.Is(err, ErrNoSession) || s != nil {
			t.Fatalf("Lookup = %v, %v; want ErrNoSession", s, err)
		}
	}
	return e.st.calls.Load() - before
}

func TestNegativeCache(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup returns the manager to look up on and the cookie, after
		// making the session gone.
		setup     func(t *testing.T, e *env) (*Manager, string)
		maxCalls  int64
		refreshIn time.Duration // after this, the store is asked once more
	}{
		{name: "revoked here", maxCalls: 0, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, s := e.create(t, e.m, "ada")
			if err := e.m.Revoke(t.Context(), s.ID); err != nil {
				t.Fatal(err)
			}
			return e.m, v
		}},
		{name: "revoked on another replica", maxCalls: 1, refreshIn: DefaultNegativeTTL, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, s := e.create(t, e.m, "ada")
			if err := e.manager(t, nil).Revoke(t.Context(), s.ID); err != nil {
				t.Fatal(err)
			}
			e.m.Invalidate(s.ID) // the store's notification
			return e.m, v
		}},
		{name: "user revoked", maxCalls: 0, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, _ := e.create(t, e.m, "ada")
			if _, err := e.m.RevokeUser(t.Context(), UserID("corp", "ada")); err != nil {
				t.Fatal(err)
			}
			return e.m, v
		}},
		{name: "unknown", maxCalls: 1, refreshIn: DefaultNegativeTTL, setup: func(t *testing.T, e *env) (*Manager, string) {
			return e.m, unknownCookie(t, e.m.codec, 1)
		}},
		{name: "absolute timeout, cached", maxCalls: 0, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, _ := e.create(t, e.m, "ada")
			for range 8 { // stay active so that the absolute timeout is the cause
				e.clock.Advance(time.Hour)
				_, _ = e.m.Lookup(t.Context(), v)
			}
			return e.m, v
		}},
		{name: "absolute timeout, cold", maxCalls: 1, refreshIn: DefaultNegativeTTL, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, _ := e.create(t, e.m, "ada")
			e.clock.Advance(8 * time.Hour)
			return e.manager(t, nil), v
		}},
		// Idle refusals are kept only 2 flush intervals: another replica
		// may not have written its last use behind yet.
		{name: "idle, cold", maxCalls: 1, refreshIn: 2 * DefaultFlushInterval, setup: func(t *testing.T, e *env) (*Manager, string) {
			v, _ := e.create(t, e.m, "ada")
			e.clock.Advance(time.Hour)
			return e.manager(t, nil), v
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			m, v := tc.setup(t, e)
			if calls := e.lookups(t, m, v, 100); calls > tc.maxCalls {
				t.Fatalf("100 lookups of a gone session made %d store calls, want at most %d", calls, tc.maxCalls)
			}
			if tc.refreshIn == 0 {
				return
			}
			e.clock.Advance(tc.refreshIn - time.Second)
			if calls := e.lookups(t, m, v, 10); calls != 0 {
				t.Fatalf("negative entry expired early: %d store calls", calls)
			}
			e.clock.Advance(time.Second)
			if calls := e.lookups(t, m, v, 10); calls != 1 {
				t.Fatalf("after the negative TTL: %d store calls, want 1", calls)
			}
		})
	}
}

// A revoked session stays refused until its own expiry, longer than the TTL.
func TestNegativeKeptUntilExpiry(t *testing.T) {
	e := newEnv(t, nil)
	v, s := e.create(t, e.m, "ada")
	if err := e.m.Revoke(t.Context(), s.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(s.ExpiresAt.Sub(e.clock.Now()) - time.Second)
	if calls := e.lookups(t, e.m, v, 10); calls != 0 {
		t.Fatalf("before the session's expiry: %d store calls", calls)
	}
}

// A new session is never shadowed by a negative entry for its ID, and
// Invalidate (a changed session) adds none.
func TestNegativeNeverShadowsLiveSession(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Rand = zeroReader{} })
	ctx := t.Context()
	v, s := e.create(t, e.m, "ada")
	if err := e.m.Revoke(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if e.lookups(t, e.m, v, 1) != 0 {
		t.Fatal("revoked session not remembered")
	}
	v2, s2 := e.create(t, e.m, "ada") // same token: same ID
	if s2.ID != s.ID || v2 != v {
		t.Fatal("zeroReader did not reproduce the session ID")
	}
	if _, err := e.m.Lookup(ctx, v2); err != nil {
		t.Fatalf("new session shadowed by a negative entry: %v", err)
	}
	e.m.Invalidate(s2.ID)
	if _, err := e.m.Lookup(ctx, v2); err != nil {
		t.Fatalf("Lookup after Invalidate: %v", err)
	}
	if len(e.m.neg) != 0 {
		t.Fatalf("negative cache holds %d entries for a live session", len(e.m.neg))
	}
}

func TestNegativeCacheBounded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.NegativeCacheSize = 3 })
	for i := range 20 {
		e.lookups(t, e.m, unknownCookie(t, e.m.codec, i), 1)
		if len(e.m.neg) > 3 {
			t.Fatalf("negative cache grew to %d", len(e.m.neg))
		}
	}
	// Expired entries are evicted before live ones.
	e.clock.Advance(DefaultNegativeTTL)
	fresh := unknownCookie(t, e.m.codec, 100)
	e.lookups(t, e.m, fresh, 1)
	e.lookups(t, e.m, unknownCookie(t, e.m.codec, 101), 1)
	if calls := e.lookups(t, e.m, fresh, 5); calls != 0 {
		t.Fatalf("a live negative entry was evicted while expired ones remained (%d calls)", calls)
	}
}

// Store failures are never remembered: each lookup fails closed anew.
func TestNegativeIgnoresStoreFailure(t *testing.T) {
	e := newEnv(t, nil)
	v, _ := e.create(t, e.m, "ada")
	cold := e.manager(t, nil)
	e.db.Close()
	for range 2 {
		if _, err := cold.Lookup(context.Background(), v); err == nil || errors.Is(err, ErrNoSession) {
			t.Fatalf("Lookup with the store down = %v; want a store error", err)
		}
	}
	if len(cold.neg) != 0 {
		t.Fatal("a store failure was cached as a gone session")
	}
}
