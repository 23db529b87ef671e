package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// openSecond opens another handle on path, as a second process would.
func openSecond(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newWaiter(t *testing.T, db *sqlite.DB, interval time.Duration) *sqlite.Waiter {
	t.Helper()
	w, err := db.NewWaiter(t.Context(), interval)
	if err != nil {
		t.Fatalf("NewWaiter: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// waitFor runs w.Wait in the background and returns its result channel.
func waitFor(ctx context.Context, w *sqlite.Waiter) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.Wait(ctx) }()
	return done
}

func TestWaiterWakesOnCommitsElsewhere(t *testing.T) {
	a, path := openTemp(t, sqlite.Options{})
	b := openSecond(t, path)
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		writer *sqlite.DB // the waiter watches b
		write  func(db *sqlite.DB) error
	}{
		{"other handle appends a change", a, func(db *sqlite.DB) error {
			_, err := db.AppendChange(ctx, store.ChangeRisk, "u1", time.Now())
			return err
		}},
		{"own handle writes", b, func(db *sqlite.DB) error {
			return db.UpsertUser(ctx, &store.User{ID: "u1", Provider: "corp", Subject: "s"})
		}},
		{"other handle deletes a session", a, func(db *sqlite.DB) error {
			_, err := db.DeleteUserSessions(ctx, "u1")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWaiter(t, b, time.Millisecond)
			done := waitFor(ctx, w)
			if err := tc.write(tc.writer); err != nil {
				t.Fatalf("write: %v", err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Wait did not return after a commit")
			}
		})
	}
}

func TestWaiterRemembersCommitsBetweenWaits(t *testing.T) {
	a, path := openTemp(t, sqlite.Options{})
	w := newWaiter(t, openSecond(t, path), 0)
	// A commit while nobody waits must wake the next Wait at once, or a
	// follower could miss a change made during its catch-up query.
	if _, err := a.AppendChange(t.Context(), store.ChangeRisk, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := w.Wait(ctx); err != nil {
		t.Fatalf("Wait after a commit = %v, want nil", err)
	}
	// Nothing new: Wait blocks until its context ends.
	short, cancel2 := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel2()
	if err := w.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with no commit = %v, want DeadlineExceeded", err)
	}
	// Reads do not wake it.
	if _, err := a.Changes(t.Context(), 0, 10); err != nil {
		t.Fatal(err)
	}
	short3, cancel3 := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel3()
	if err := w.Wait(short3); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait after a read = %v, want DeadlineExceeded", err)
	}
}

func TestWaiterRefusals(t *testing.T) {
	mem, err := sqlite.Open(t.Context(), ":memory:", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.NewWaiter(t.Context(), 0); err == nil {
		t.Error("NewWaiter on an in-memory database succeeded")
	}
	db, _ := openTemp(t, sqlite.Options{})
	if _, err := db.NewWaiter(t.Context(), -time.Millisecond); err == nil {
		t.Error("NewWaiter with a negative interval succeeded")
	}
	w := newWaiter(t, db, 0)
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := w.Wait(t.Context()); err == nil {
		t.Error("Wait after Close succeeded")
	}
}

func TestWaiterPathNeedsEscaping(t *testing.T) {
	// '?' is left out: Open itself takes it for the start of parameters.
	dir := filepath.Join(t.TempDir(), "a dir#with%odd chars")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	a, err := sqlite.Open(t.Context(), filepath.Join(dir, "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	w := newWaiter(t, a, time.Millisecond)
	done := waitFor(t.Context(), w)
	if _, err := a.AppendChange(t.Context(), store.ChangeRisk, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not see the commit: the waiter opened another file")
	}
}

func TestObserveChangeOps(t *testing.T) {
	ops := map[string]int{}
	db, _ := openTemp(t, sqlite.Options{Observe: func(op string, _ time.Duration, _ error) { ops[op]++ }})
	ctx := t.Context()
	if _, err := db.AppendChange(ctx, store.ChangeRisk, "u", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _ = db.Changes(ctx, 0, 1)
	_, _ = db.LastChange(ctx)
	_, _ = db.PurgeChanges(ctx, time.Now())
	_, _ = db.DeleteProviderSessions(ctx, "corp")
	_ = db.RevokeApp(ctx, "wiki", time.Now())
	_, _ = db.AppRevocations(ctx)
	for _, op := range []string{"change.append", "change.list", "change.last", "change.purge",
		"session.delete_provider", "app.revoke", "app.revocations"} {
		if ops[op] != 1 {
			t.Errorf("observed %q %d times, want 1 (all: %v)", op, ops[op], ops)
		}
	}
}

// BenchmarkDataVersion measures one Waiter poll with nothing committed:
// the CPU a follower costs while idle. cpu-%-at-10ms is that cost at the
// default interval, as a share of one core.
func BenchmarkDataVersion(b *testing.B) {
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	w, err := db.NewWaiter(b.Context(), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ctx := b.Context()
	start := time.Now()
	for b.Loop() {
		if changed, err := w.Changed(ctx); err != nil || changed {
			b.Fatalf("Changed = %v, %v", changed, err)
		}
	}
	perPoll := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(perPoll)/float64(sqlite.DefaultWaitInterval)*100, "cpu-%-at-10ms")
}
