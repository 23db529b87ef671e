package postgres_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
)

var _ changes.Waker = (*postgres.Waiter)(nil)

func newWaiter(t *testing.T, db *postgres.DB) *postgres.Waiter {
	t.Helper()
	w, err := db.NewWaiter(t.Context())
	if err != nil {
		t.Fatalf("NewWaiter: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// waitFor runs w.Wait in the background and returns its result channel.
func waitFor(ctx context.Context, w *postgres.Waiter) <-chan error {
	done := make(chan error, 1)
	go func() { done <- w.Wait(ctx) }()
	return done
}

func wantWake(t *testing.T, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Wait after %s = %v, want nil", what, err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("Wait did not return after %s", what)
	}
}

// terminate ends a server backend, as an operator or a failover would.
func terminate(t *testing.T, pid uint32) {
	t.Helper()
	if pid == 0 {
		t.Fatal("no backend to terminate")
	}
	adminExec(t, serverDSN(t), "SELECT pg_terminate_backend("+strconv.FormatUint(uint64(pid), 10)+")")
}

func TestWaiterWakesOnCommitsElsewhere(t *testing.T) {
	parallel(t)
	a, dsn := openFresh(t, postgres.Options{})
	b := openDSN(t, dsn, postgres.Options{}) // another replica on the same schema
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		writer *postgres.DB // the waiter listens through b
		write  func(db *postgres.DB) error
	}{
		{"other replica appends a change", a, func(db *postgres.DB) error {
			_, err := db.AppendChange(ctx, store.ChangeRisk, "u1", time.Now())
			return err
		}},
		{"own store revokes a user", b, func(db *postgres.DB) error {
			_, err := db.DeleteUserSessions(ctx, "u1")
			return err
		}},
		{"other replica adds a risk factor", a, func(db *postgres.DB) error {
			return db.AddRiskFactor(ctx, &store.RiskFactor{ID: "f1", UserID: "u1", Kind: "admin", Severity: 10,
				At: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
		}},
		{"other replica revokes an app", a, func(db *postgres.DB) error {
			return db.RevokeApp(ctx, "wiki", time.Now())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWaiter(t, b)
			done := waitFor(ctx, w)
			if err := tc.write(tc.writer); err != nil {
				t.Fatalf("write: %v", err)
			}
			wantWake(t, done, "a commit")
		})
	}
}

func TestWaiterHearsOnlyItsSchema(t *testing.T) {
	parallel(t)
	db, _ := openFresh(t, postgres.Options{})
	other, _ := openFresh(t, postgres.Options{})
	w := newWaiter(t, db)
	ctx := t.Context()
	// Another deployment's commit and this one's reads do not wake it.
	if _, err := other.AppendChange(ctx, store.ChangeRisk, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Changes(ctx, 0, 10); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := w.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with nothing committed here = %v, want DeadlineExceeded", err)
	}
	// A commit while nobody waits wakes the next Wait at once, or a
	// follower could miss a change made during its catch-up query.
	if _, err := db.AppendChange(ctx, store.ChangeRisk, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	long, cancel2 := context.WithTimeout(ctx, 15*time.Second)
	defer cancel2()
	if err := w.Wait(long); err != nil {
		t.Fatalf("Wait after a commit = %v, want nil", err)
	}
}

func TestWaiterReconnectsAfterTermination(t *testing.T) {
	parallel(t)
	db, _ := openFresh(t, postgres.Options{})
	w := newWaiter(t, db)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	first := postgres.WaiterPIDForTest(w)
	terminate(t, first)
	if err := w.Wait(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on a terminated connection = %v, want a connection error", err)
	}
	// The next Wait reconnects and returns at once: whatever was notified
	// while it was cut off is lost, so the caller must read the feed.
	if err := w.Wait(ctx); err != nil {
		t.Fatalf("Wait after the loss = %v, want nil (reconnected)", err)
	}
	if pid := postgres.WaiterPIDForTest(w); pid == 0 || pid == first {
		t.Fatalf("backend after reconnecting = %d, want a new one (was %d)", pid, first)
	}
	done := waitFor(ctx, w)
	if _, err := db.AppendChange(ctx, store.ChangeUserRevoked, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	wantWake(t, done, "a commit on the new connection")
}

func TestWaiterClose(t *testing.T) {
	parallel(t)
	db, _ := openFresh(t, postgres.Options{})
	w, err := db.NewWaiter(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	done := waitFor(context.Background(), w) // only Close can end it
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Wait ended by Close returned nil")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Close did not end a running Wait")
	}
	if err := w.Wait(t.Context()); err == nil {
		t.Fatal("Wait after Close succeeded")
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
