package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// RiskBackend keeps users' risk factors (see store.RiskFactor for the
// contract). Beyond it the suite pins down: factors read back oldest first
// (At, then ID) with times in UTC and empty evidence as nil; a clear stamps
// only factors still active at its time; nil kinds clear every kind and an
// empty non-nil list clears none; a clear that clears nothing appends no
// change; a refused write appends no change.
type RiskBackend interface {
	AddRiskFactor(ctx context.Context, f *store.RiskFactor) error
	RiskFactors(ctx context.Context, userID string) ([]store.RiskFactor, error)
	ActiveRiskFactors(ctx context.Context, now time.Time) ([]store.RiskFactor, error)
	ClearRiskFactors(ctx context.Context, userID string, kinds []string, at time.Time, by string) (int, error)
}

// changeReader is the change feed's reading side. Backends that have it
// also get their risk changes checked; it is optional here so that the risk
// suite does not depend on the feed's own conformance tests.
type changeReader interface {
	Changes(ctx context.Context, afterSeq int64, limit int) ([]store.Change, error)
}

// RunRisk runs the risk-factor conformance tests. open must return a new,
// empty store for each call and arrange its cleanup with t.Cleanup.
func RunRisk(t *testing.T, open func(t *testing.T) RiskBackend) {
	tests := []struct {
		name string
		run  func(t *testing.T, b RiskBackend)
	}{
		{"RoundTrip", testRiskRoundTrip},
		{"Conflict", testRiskConflict},
		{"Incomplete", testRiskIncomplete},
		{"Order", testRiskOrder},
		{"Active", testRiskActive},
		{"Clear", testRiskClear},
		{"ClearKinds", testRiskClearKinds},
		{"ChangeFeed", testRiskChangeFeed},
		{"Concurrent", testRiskConcurrent},
	}
	for _, tc := range tests {
		t.Run("Risk"+tc.name, func(t *testing.T) { tc.run(t, open(t)) })
	}
}

// riskFactor is a factor of user starting at at, alive for an hour.
func riskFactor(id, user, kind string, at time.Time) *store.RiskFactor {
	return &store.RiskFactor{ID: id, UserID: user, Kind: kind, Severity: 40,
		Reason: "reason " + id, Source: "detector", At: at, ExpiresAt: at.Add(time.Hour)}
}

func addRisk(t *testing.T, b RiskBackend, fs ...*store.RiskFactor) {
	t.Helper()
	for _, f := range fs {
		if err := b.AddRiskFactor(t.Context(), f); err != nil {
			t.Fatalf("AddRiskFactor(%s): %v", f.ID, err)
		}
	}
}

func userRiskIDs(t *testing.T, b RiskBackend, userID string) []string {
	t.Helper()
	fs, err := b.RiskFactors(t.Context(), userID)
	if err != nil {
		t.Fatalf("RiskFactors(%s): %v", userID, err)
	}
	return riskIDs(fs)
}

func activeRiskIDs(t *testing.T, b RiskBackend, now time.Time) []string {
	t.Helper()
	fs, err := b.ActiveRiskFactors(t.Context(), now)
	if err != nil {
		t.Fatalf("ActiveRiskFactors: %v", err)
	}
	return riskIDs(fs)
}

func riskIDs(fs []store.RiskFactor) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func testRiskRoundTrip(t *testing.T, b RiskBackend) {
	if fs, err := b.RiskFactors(t.Context(), "u1"); err != nil || fs != nil {
		t.Fatalf("empty store: %#v, %v; want nil, nil", fs, err)
	}
	want := store.RiskFactor{ID: "f1", UserID: "u1", Kind: "impossible-travel", Severity: 50,
		Reason:   `Berlin to Sydney, 16,100 km in 40 min ("quoted", ü)`,
		Evidence: map[string]string{"from": "Berlin, DE", "to": "Sydney, AU", "km": "16100"},
		Source:   "detector", At: base, ExpiresAt: base.Add(24 * time.Hour)}
	in := want
	in.At = base.In(time.FixedZone("AEDT", 11*3600)) // read back in UTC
	addRisk(t, b, &in)
	plain := riskFactor("f2", "u1", "admin", base.Add(time.Second))
	plain.Evidence = map[string]string{} // empty reads back as nil
	addRisk(t, b, plain)
	got, err := b.RiskFactors(t.Context(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	p := *plain
	p.Evidence = nil
	mustEqual(t, "factors", got, []store.RiskFactor{want, p})
}

func testRiskConflict(t *testing.T, b RiskBackend) {
	addRisk(t, b, riskFactor("f1", "u1", "new-device", base))
	dup := riskFactor("f1", "u2", "admin", base.Add(time.Minute))
	if err := b.AddRiskFactor(t.Context(), dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate ID: %v, want ErrConflict", err)
	}
	mustEqual(t, "u1", userRiskIDs(t, b, "u1"), []string{"f1"})
	mustEqual(t, "u2", userRiskIDs(t, b, "u2"), []string{})
}

func testRiskIncomplete(t *testing.T, b RiskBackend) {
	for name, mod := range map[string]func(f *store.RiskFactor){
		"no ID":            func(f *store.RiskFactor) { f.ID = "" },
		"no user":          func(f *store.RiskFactor) { f.UserID = "" },
		"no kind":          func(f *store.RiskFactor) { f.Kind = "" },
		"zero severity":    func(f *store.RiskFactor) { f.Severity = 0 },
		"severity 101":     func(f *store.RiskFactor) { f.Severity = 101 },
		"no time":          func(f *store.RiskFactor) { f.At = time.Time{} },
		"no expiry":        func(f *store.RiskFactor) { f.ExpiresAt = time.Time{} },
		"expires at start": func(f *store.RiskFactor) { f.ExpiresAt = f.At },
	} {
		f := riskFactor("f1", "u1", "admin", base)
		mod(f)
		err := b.AddRiskFactor(t.Context(), f)
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: AddRiskFactor = %v, want a plain error", name, err)
		}
	}
	mustEqual(t, "stored", activeRiskIDs(t, b, time.Time{}), []string{})
	if _, err := b.ClearRiskFactors(t.Context(), "", nil, base, "admin:x"); err == nil {
		t.Error("ClearRiskFactors without a user succeeded")
	}
	if _, err := b.ClearRiskFactors(t.Context(), "u1", nil, time.Time{}, "admin:x"); err == nil {
		t.Error("ClearRiskFactors without a time succeeded")
	}
}

func testRiskOrder(t *testing.T, b RiskBackend) {
	addRisk(t, b,
		riskFactor("c", "u1", "admin", base.Add(2*time.Minute)),
		riskFactor("b", "u1", "admin", base),
		riskFactor("a", "u1", "admin", base), // same time: ID decides
		riskFactor("x", "u2", "admin", base.Add(time.Minute)),
	)
	mustEqual(t, "u1", userRiskIDs(t, b, "u1"), []string{"a", "b", "c"})
	mustEqual(t, "u2", userRiskIDs(t, b, "u2"), []string{"x"})
	mustEqual(t, "active", activeRiskIDs(t, b, base), []string{"a", "b", "x", "c"})
}

func testRiskActive(t *testing.T, b RiskBackend) {
	short := riskFactor("short", "u1", "new-device", base)
	short.ExpiresAt = base.Add(time.Minute)
	addRisk(t, b, short, riskFactor("long", "u1", "farm-device", base), riskFactor("other", "u2", "admin", base))
	if _, err := b.ClearRiskFactors(t.Context(), "u2", nil, base.Add(time.Second), "admin:root"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{base.Add(time.Second), []string{"long", "short"}},
		{base.Add(time.Minute - time.Microsecond), []string{"long", "short"}},
		{base.Add(time.Minute), []string{"long"}}, // expiry is exclusive
		{base.Add(time.Hour), []string{}},
	} {
		mustEqual(t, fmt.Sprint("active at ", tc.now), activeRiskIDs(t, b, tc.now), tc.want)
	}
}

func testRiskClear(t *testing.T, b RiskBackend) {
	expired := riskFactor("expired", "u1", "new-country", base.Add(-2*time.Hour))
	addRisk(t, b, expired, riskFactor("a", "u1", "farm-device", base), riskFactor("b", "u1", "admin", base),
		riskFactor("o", "u2", "farm-device", base))
	at := base.Add(10 * time.Minute)
	n, err := b.ClearRiskFactors(t.Context(), "u1", nil, at, "admin:root")
	if err != nil || n != 2 {
		t.Fatalf("ClearRiskFactors = %d, %v; want 2", n, err)
	}
	got, err := b.RiskFactors(t.Context(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		wantAt, wantBy := at, "admin:root"
		if f.ID == "expired" { // no longer active: left as it was
			wantAt, wantBy = time.Time{}, ""
		}
		if !f.ClearedAt.Equal(wantAt) || f.ClearedBy != wantBy {
			t.Errorf("%s: cleared %v by %q, want %v by %q", f.ID, f.ClearedAt, f.ClearedBy, wantAt, wantBy)
		}
	}
	// A second clear finds nothing, and does not restamp.
	if n, err := b.ClearRiskFactors(t.Context(), "u1", nil, at.Add(time.Minute), "admin:other"); err != nil || n != 0 {
		t.Fatalf("second clear = %d, %v; want 0", n, err)
	}
	again, _ := b.RiskFactors(t.Context(), "u1")
	mustEqual(t, "after second clear", again, got)
	mustEqual(t, "u2 untouched", activeRiskIDs(t, b, at), []string{"o"})
}

func testRiskClearKinds(t *testing.T, b RiskBackend) {
	addRisk(t, b, riskFactor("t", "u1", "impossible-travel", base), riskFactor("f", "u1", "farm-device", base),
		riskFactor("s", "u1", "ssf-credential-compromise", base), riskFactor("a", "u1", "admin", base))
	at := base.Add(time.Minute)
	for _, tc := range []struct {
		kinds  []string
		n      int
		active []string
	}{
		{[]string{}, 0, []string{"a", "f", "s", "t"}}, // empty, not nil: nothing
		{[]string{"unknown"}, 0, []string{"a", "f", "s", "t"}},
		{[]string{"impossible-travel", "farm-device"}, 2, []string{"a", "s"}},
		{[]string{"admin"}, 1, []string{"s"}},
		{nil, 1, []string{}},
	} {
		n, err := b.ClearRiskFactors(t.Context(), "u1", tc.kinds, at, "verification")
		if err != nil || n != tc.n {
			t.Fatalf("clear %q = %d, %v; want %d", tc.kinds, n, err, tc.n)
		}
		mustEqual(t, fmt.Sprintf("active after clearing %q", tc.kinds),
			activeRiskIDs(t, b, at), tc.active)
	}
}

func testRiskChangeFeed(t *testing.T, b RiskBackend) {
	feed, ok := b.(changeReader)
	if !ok {
		t.Skip("backend has no change feed reader")
	}
	ctx := t.Context()
	addRisk(t, b, riskFactor("f1", "u1", "admin", base))
	_ = b.AddRiskFactor(ctx, riskFactor("f1", "u1", "admin", base)) // conflict: no change
	_ = b.AddRiskFactor(ctx, &store.RiskFactor{ID: "bad", UserID: "u1"})
	if _, err := b.ClearRiskFactors(ctx, "u2", nil, base, "admin:root"); err != nil { // clears nothing
		t.Fatal(err)
	}
	if _, err := b.ClearRiskFactors(ctx, "u1", []string{"admin"}, base.Add(time.Minute), "admin:root"); err != nil {
		t.Fatal(err)
	}
	cs, err := feed.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []store.Change
	for _, c := range cs {
		got = append(got, store.Change{Kind: c.Kind, Key: c.Key, At: c.At})
	}
	mustEqual(t, "changes", got, []store.Change{
		{Kind: store.ChangeRisk, Key: "u1", At: base},
		{Kind: store.ChangeRisk, Key: "u1", At: base.Add(time.Minute)},
	})
}

func testRiskConcurrent(t *testing.T, b RiskBackend) {
	const n = 16
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		wins      int
		conflicts int
		failures  []error
	)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := b.AddRiskFactor(t.Context(), riskFactor(fmt.Sprintf("f%02d", i), "u1", "admin", base)); err != nil {
				mu.Lock()
				failures = append(failures, err)
				mu.Unlock()
			}
		}()
		go func() { // every goroutine races for the same ID: exactly one wins
			defer wg.Done()
			err := b.AddRiskFactor(t.Context(), riskFactor("same", "u2", "admin", base))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				failures = append(failures, err)
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 || wins != 1 || conflicts != n-1 {
		t.Fatalf("wins %d, conflicts %d, failures %v; want 1, %d, none", wins, conflicts, failures, n-1)
	}
	if got := userRiskIDs(t, b, "u1"); len(got) != n {
		t.Fatalf("stored %d factors, want %d", len(got), n)
	}
}
