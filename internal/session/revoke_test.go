package session

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/vigil-gw/vigil/internal/store"
)

func TestRevoke(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	var mu sync.Mutex
	var hooked []string
	e.m.OnRevoke(func(id string) { mu.Lock(); hooked = append(hooked, id); mu.Unlock() })
	v, s := e.create(t, e.m, "ada")
	v2, _ := e.create(t, e.m, "ada")
	if _, err := e.m.Lookup(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Revoke(ctx, s.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if _, err := e.m.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup after Revoke = %v; want ErrNoSession", err)
	}
	if _, err := e.db.GetSession(ctx, s.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("store still has the revoked session: %v", err)
	}
	if _, err := e.m.Lookup(ctx, v2); err != nil {
		t.Fatalf("other session of the user lost: %v", err)
	}
	if err := e.m.Revoke(ctx, s.ID); !errors.Is(err, ErrNoSession) {
		t.Fatalf("second Revoke = %v; want ErrNoSession", err)
	}
	if !slices.Equal(hooked, []string{s.ID, s.ID}) {
		t.Fatalf("hooks saw %v", hooked)
	}
}

func TestRevokeUser(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	replica := e.manager(t, nil)
	var hooked []string
	e.m.OnRevoke(func(id string) { hooked = append(hooked, id) })
	a1, s1 := e.create(t, e.m, "ada")
	a2, s2 := e.create(t, e.m, "ada")
	_, s3 := e.create(t, replica, "ada") // never in e.m's cache
	b, _ := e.create(t, e.m, "bob")
	n, err := e.m.RevokeUser(ctx, UserID("corp", "ada"))
	if err != nil || n != 3 {
		t.Fatalf("RevokeUser = %d, %v; want 3", n, err)
	}
	for _, v := range []string{a1, a2} {
		if _, err := e.m.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
			t.Fatalf("revoked session still served: %v", err)
		}
	}
	if _, err := e.m.Lookup(ctx, b); err != nil {
		t.Fatalf("other user's session lost: %v", err)
	}
	slices.Sort(hooked)
	want := []string{s1.ID, s2.ID, s3.ID}
	slices.Sort(want)
	if !slices.Equal(hooked, want) {
		t.Fatalf("hooks saw %v, want %v", hooked, want)
	}
	if _, err := e.m.RevokeUser(ctx, ""); err == nil {
		t.Fatal("RevokeUser(\"\") must refuse (it would match every user)")
	}
}

func TestInvalidateRefetches(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	replica := e.manager(t, nil)
	v, s := e.create(t, e.m, "ada")
	if _, err := replica.Lookup(ctx, v); err != nil { // replica caches it
		t.Fatal(err)
	}
	if err := e.m.Revoke(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Lookup(ctx, v); err != nil {
		t.Fatal("a replica serves its cache until notified; this test relies on it")
	}
	replica.Invalidate(s.ID) // the store's notification
	if _, err := replica.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup after Invalidate = %v; want ErrNoSession", err)
	}
}

// A lookup that read the store just before a revocation must not cache
// (or serve) the revoked session.
func TestRevokeDuringLoad(t *testing.T) {
	e := newEnv(t, nil)
	ctx := t.Context()
	v, s := e.create(t, e.m, "ada")
	cold := e.manager(t, nil)
	var once sync.Once
	e.st.afterGet = func() {
		once.Do(func() {
			if err := cold.Revoke(ctx, s.ID); err != nil {
				t.Errorf("Revoke: %v", err)
			}
		})
	}
	if _, err := cold.Lookup(ctx, v); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Lookup racing Revoke = %v; want ErrNoSession", err)
	}
	if len(cold.cache) != 0 {
		t.Fatal("revoked session was cached")
	}
}
