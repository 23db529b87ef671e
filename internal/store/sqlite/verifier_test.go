package sqlite_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// Records the verifier must never write are refused with a plain error,
// not a store error the caller might treat as "retry" or "absent".
func TestVerifierRejectsIncompleteRecords(t *testing.T) {
	db, _ := openTemp(t, sqlite.Options{})
	ctx := t.Context()
	ok := store.Verification{ID: "v1", Status: store.VerificationStarted, ExpiresAt: t0}
	if err := db.CreateVerification(ctx, &ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"verification without ID", func() error {
			return db.CreateVerification(ctx, &store.Verification{Status: store.VerificationStarted, ExpiresAt: t0})
		}},
		{"verification without expiry", func() error {
			return db.CreateVerification(ctx, &store.Verification{ID: "v2", Status: store.VerificationStarted})
		}},
		{"verification with unknown status", func() error {
			return db.CreateVerification(ctx, &store.Verification{ID: "v2", Status: "done", ExpiresAt: t0})
		}},
		{"update to unknown status", func() error {
			v := ok
			v.Status = "Approved"
			return db.UpdateVerification(ctx, &v)
		}},
		{"evidence without bytes", func() error {
			return db.PutEvidence(ctx, &store.Evidence{ID: "e", VerificationID: "v1", DeleteAfter: t0})
		}},
		{"evidence without DeleteAfter", func() error {
			return db.PutEvidence(ctx, &store.Evidence{ID: "e", VerificationID: "v1", Sealed: []byte("x")})
		}},
		{"person without document", func() error {
			return db.UpsertPersonByDocument(ctx, &store.Person{Subject: "s"})
		}},
		{"new person without subject", func() error {
			return db.UpsertPersonByDocument(ctx, &store.Person{DocumentKey: "d"})
		}},
		{"OTP with one key", func() error {
			return db.UpdateOTP(ctx, "k", "", func(c, m []byte) ([]byte, []byte, error) { return c, m, nil })
		}},
		{"OTP with the same key twice", func() error {
			return db.UpdateOTP(ctx, "k", "k", func(c, m []byte) ([]byte, []byte, error) { return c, m, nil })
		}},
	} {
		err := tc.run()
		if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: err = %v; want a validation error", tc.name, err)
		}
	}
	if got, err := db.GetVerification(ctx, "v1"); err != nil || got.Version != 1 || got.Status != store.VerificationStarted {
		t.Fatalf("refused update changed the record: %+v, %v", got, err)
	}
}

// PurgeOTP judges records by the injected clock; reads do not refresh them.
func TestPurgeOTPInjectedClock(t *testing.T) {
	var (
		mu  sync.Mutex
		now = t0
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	db, _ := openTemp(t, sqlite.Options{Now: clock})
	ctx := t.Context()
	set := func(c, m []byte) ([]byte, []byte, error) { return []byte(`{"a":1}`), []byte(`{"b":1}`), nil }
	keep := func(c, m []byte) ([]byte, []byte, error) { return c, m, nil }
	if err := db.UpdateOTP(ctx, "ch", "mb", set); err != nil {
		t.Fatal(err)
	}
	advance(time.Hour)
	if err := db.UpdateOTP(ctx, "ch", "mb", keep); err != nil { // a read: no rewrite
		t.Fatal(err)
	}
	if n, err := db.PurgeOTP(ctx, t0); err != nil || n != 0 {
		t.Fatalf("PurgeOTP(write time) = %d, %v; want 0 (strictly before)", n, err)
	}
	if n, err := db.PurgeOTP(ctx, t0.Add(time.Microsecond)); err != nil || n != 2 {
		t.Fatalf("PurgeOTP(after write) = %d, %v; want 2 (the read did not refresh them)", n, err)
	}
}

func TestObserveVerifierOps(t *testing.T) {
	var (
		mu  sync.Mutex
		ops = map[string]int{}
	)
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, _ time.Duration, _ error) {
		mu.Lock()
		ops[op]++
		mu.Unlock()
	}})
	ctx := t.Context()
	v := &store.Verification{ID: "v", Status: store.VerificationStarted, ExpiresAt: t0}
	_ = db.CreateVerification(ctx, v)
	_, _ = db.GetVerification(ctx, "v")
	_, _ = db.GetVerificationByAuthRequest(ctx, "ar")
	_ = db.UpdateVerification(ctx, v)
	_, _ = db.ListVerifications(ctx, "", 1)
	_, _ = db.FindApprovedVerification(ctx, "a@b")
	_, _ = db.ExpireVerifications(ctx, t0)
	_ = db.PutEvidence(ctx, &store.Evidence{ID: "e", VerificationID: "v", Sealed: []byte{1}, DeleteAfter: t0})
	_, _ = db.GetEvidence(ctx, "e")
	_, _ = db.ListEvidence(ctx, "v")
	_, _ = db.DeleteEvidenceBefore(ctx, t0)
	_ = db.UpsertPersonByDocument(ctx, &store.Person{Subject: "s", DocumentKey: "d"})
	_, _ = db.GetPerson(ctx, "s")
	_ = db.UpdateOTP(ctx, "c", "m", func(c, m []byte) ([]byte, []byte, error) { return c, m, nil })
	_, _ = db.PurgeOTP(ctx, t0)
	mu.Lock()
	defer mu.Unlock()
	for _, op := range []string{"verification.create", "verification.get", "verification.get_by_auth_request",
		"verification.update", "verification.list", "verification.find_approved", "verification.expire",
		"evidence.put", "evidence.get", "evidence.list", "evidence.delete_before", "person.upsert", "person.get",
		"otp.update", "otp.purge"} {
		if ops[op] != 1 {
			t.Errorf("observed %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
}

func BenchmarkUpdateOTP(b *testing.B) {
	db, err := sqlite.Open(b.Context(), b.TempDir()+"/vigil.db", sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rec := []byte(`{"hash":"0123456789abcdef0123456789abcdef","tries":1,"expires":1741964966}`)
	b.ReportAllocs()
	for b.Loop() {
		err := db.UpdateOTP(b.Context(), "challenge", "mailbox", func(c, m []byte) ([]byte, []byte, error) {
			if c == nil {
				return rec, rec, nil
			}
			return nil, m, nil // alternate create and delete, so every call writes
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetVerification(b *testing.B) {
	db, err := sqlite.Open(b.Context(), b.TempDir()+"/vigil.db", sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	v := &store.Verification{ID: "v", Status: store.VerificationStarted, ExpiresAt: t0, Steps: []byte(`{"email":{}}`),
		Reasons: []string{"a", "b"}, CreatedAt: t0}
	if err := db.CreateVerification(b.Context(), v); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.GetVerification(b.Context(), "v"); err != nil {
			b.Fatal(err)
		}
	}
}
