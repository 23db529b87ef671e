package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func testUserRoundTrip(t *testing.T, b Backend) {
	want := &store.User{ID: "corp:abc", Provider: "corp", Subject: "abc", Email: "ada@example.com",
		Name: "Ada Lovelace", FirstSeenAt: base, LastSeenAt: base.Add(time.Minute)}
	in := *want
	if err := b.UpsertUser(t.Context(), &in); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	mustEqual(t, "user after upsert", &in, want)
	got, err := b.GetUser(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	mustEqual(t, "user", got, want)
	if u, err := b.GetUser(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(missing) = %v, %v; want ErrNotFound", u, err)
	}
}

func testUserUpsertKeepsFirstSeen(t *testing.T, b Backend) {
	u := &store.User{ID: "corp:abc", Provider: "corp", Subject: "abc", Email: "old@example.com",
		Name: "Old", FirstSeenAt: base, LastSeenAt: base}
	if err := b.UpsertUser(t.Context(), u); err != nil {
		t.Fatalf("UpsertUser: %v", err)
	}
	later := base.Add(48 * time.Hour)
	again := &store.User{ID: "corp:abc", Provider: "corp", Subject: "abc", Email: "new@example.com",
		Name: "New", FirstSeenAt: later, LastSeenAt: later}
	if err := b.UpsertUser(t.Context(), again); err != nil {
		t.Fatalf("second UpsertUser: %v", err)
	}
	want := &store.User{ID: "corp:abc", Provider: "corp", Subject: "abc", Email: "new@example.com",
		Name: "New", FirstSeenAt: base, LastSeenAt: later}
	mustEqual(t, "upserted record (FirstSeenAt reported back)", again, want)
	got, err := b.GetUser(t.Context(), "corp:abc")
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	mustEqual(t, "stored user", got, want)
}

func testMarkUsed(t *testing.T, b Backend) {
	exp := base.Add(time.Hour)
	for i, tc := range []struct {
		key  string
		want bool
	}{
		{"jti-1", true},
		{"jti-1", false},
		{"jti-2", true},
		{"jti-1", false},
		{"JTI-1", true}, // keys are case-sensitive
	} {
		got, err := b.MarkUsed(t.Context(), tc.key, exp)
		if err != nil || got != tc.want {
			t.Fatalf("step %d: MarkUsed(%q) = %v, %v; want %v, nil", i, tc.key, got, err, tc.want)
		}
	}
	// Past its expiry a key is still refused until purged: stores read no clock.
	if _, err := b.MarkUsed(t.Context(), "old", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if got, err := b.MarkUsed(t.Context(), "old", exp); err != nil || got {
		t.Fatalf("MarkUsed(expired but unpurged) = %v, %v; want false, nil", got, err)
	}
	// A released key may be used once more; releasing an unknown key is fine.
	if err := b.ReleaseUsed(t.Context(), "jti-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.MarkUsed(t.Context(), "jti-1", exp); err != nil || !got {
		t.Fatalf("MarkUsed(released) = %v, %v; want true, nil", got, err)
	}
	if got, err := b.MarkUsed(t.Context(), "jti-2", exp); err != nil || got {
		t.Fatalf("releasing one key freed another: %v, %v", got, err)
	}
	if err := b.ReleaseUsed(t.Context(), "never-used"); err != nil {
		t.Fatal(err)
	}
}

func testMarkUsedConcurrent(t *testing.T, b Backend) {
	const workers = 32
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		wins  int
		start = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			first, err := b.MarkUsed(t.Context(), "race", base.Add(time.Hour))
			if err != nil {
				t.Errorf("MarkUsed: %v", err)
				return
			}
			if first {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d goroutines saw first use; want exactly 1", wins)
	}
}

func testPurgeUsed(t *testing.T, b Backend) {
	now := base
	keys := map[string]time.Time{
		"expired": now.Add(-time.Second),
		"at-now":  now,
		"live":    now.Add(time.Microsecond),
	}
	for k, exp := range keys {
		if _, err := b.MarkUsed(t.Context(), k, exp); err != nil {
			t.Fatalf("MarkUsed(%q): %v", k, err)
		}
	}
	n, err := b.PurgeUsed(t.Context(), now)
	if err != nil || n != 2 {
		t.Fatalf("PurgeUsed = %d, %v; want 2, nil", n, err)
	}
	for k, want := range map[string]bool{"expired": true, "at-now": true, "live": false} {
		got, err := b.MarkUsed(t.Context(), k, now.Add(time.Hour))
		if err != nil || got != want {
			t.Errorf("MarkUsed(%q) after purge = %v, %v; want %v", k, got, err, want)
		}
	}
}

func signingKey(id string, created time.Time) *store.SigningKey {
	return &store.SigningKey{
		ID:         id,
		Algorithm:  "ES256",
		PrivateKey: []byte("wrapped-private-" + id + "\x00\xff"),
		PublicKey:  []byte("pkix-" + id),
		CreatedAt:  created,
		RetireAt:   created.Add(24 * time.Hour),
		ExpiresAt:  created.Add(48 * time.Hour),
	}
}

func listKeys(t *testing.T, b Backend) []store.SigningKey {
	t.Helper()
	ks, err := b.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatalf("ListSigningKeys: %v", err)
	}
	return ks
}

func testSigningKeyRoundTrip(t *testing.T, b Backend) {
	if ks := listKeys(t, b); len(ks) != 0 {
		t.Fatalf("empty store lists %d keys", len(ks))
	}
	want := signingKey("k1", base)
	if err := b.PutSigningKey(t.Context(), want); err != nil {
		t.Fatalf("PutSigningKey: %v", err)
	}
	mustEqual(t, "keys", listKeys(t, b), []store.SigningKey{*want})

	unset := signingKey("k2", base.Add(time.Second))
	unset.RetireAt, unset.ExpiresAt = time.Time{}, time.Time{} // zero times round-trip
	if err := b.PutSigningKey(t.Context(), unset); err != nil {
		t.Fatalf("PutSigningKey: %v", err)
	}
	mustEqual(t, "keys", listKeys(t, b), []store.SigningKey{*unset, *want})
}

func testSigningKeyOrderAndReplace(t *testing.T, b Backend) {
	order := []int{2, 0, 3, 1}
	for _, i := range order {
		if err := b.PutSigningKey(t.Context(), signingKey(fmt.Sprintf("k%d", i), base.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatalf("PutSigningKey: %v", err)
		}
	}
	var ids []string
	for _, k := range listKeys(t, b) {
		ids = append(ids, k.ID)
	}
	mustEqual(t, "key order", ids, []string{"k3", "k2", "k1", "k0"})

	retired := signingKey("k3", base.Add(3*time.Hour))
	retired.RetireAt = base.Add(4 * time.Hour)
	if err := b.PutSigningKey(t.Context(), retired); err != nil {
		t.Fatalf("PutSigningKey(replace): %v", err)
	}
	ks := listKeys(t, b)
	if len(ks) != 4 {
		t.Fatalf("replacing a key changed the count to %d", len(ks))
	}
	mustEqual(t, "replaced key", &ks[0], retired)
}

func testUsersByEmail(t *testing.T, b Backend) {
	for i, u := range []store.User{
		{ID: "corp:a", Provider: "corp", Subject: "a", Email: "Ada@Example.com", FirstSeenAt: base},
		{ID: "other:a", Provider: "other", Subject: "a", Email: "ada@example.com", FirstSeenAt: base.Add(time.Second)},
		{ID: "corp:b", Provider: "corp", Subject: "b", Email: "bob@example.com", FirstSeenAt: base},
	} {
		u.LastSeenAt = u.FirstSeenAt
		if err := b.UpsertUser(t.Context(), &u); err != nil {
			t.Fatalf("UpsertUser %d: %v", i, err)
		}
	}
	got, err := b.UsersByEmail(t.Context(), "ADA@example.COM")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "corp:a" || got[1].ID != "other:a" || got[0].Email != "Ada@Example.com" {
		t.Fatalf("UsersByEmail = %+v", got)
	}
	if got, err := b.UsersByEmail(t.Context(), "nobody@example.com"); err != nil || got != nil {
		t.Fatalf("unknown email: %v, %v", got, err)
	}
	if _, err := b.UsersByEmail(t.Context(), ""); err == nil {
		t.Fatal("empty email: no error")
	}
}
