package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestWaiterBacksOff: while the server cannot be reached, each Wait makes
// one attempt, the delay before the next doubles, and a Wait whose context
// ends during the delay returns its error without trying. No server is
// needed: nothing listens on port 1.
func TestWaiterBacksOff(t *testing.T) {
	cfg, err := pgx.ParseConfig("postgres://vigil@127.0.0.1:1/none?connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	w := &Waiter{cfg: cfg, schema: "public"}
	w.life, w.stop = context.WithCancel(context.Background())
	defer w.Close()
	ctx := t.Context()
	for i, want := range []time.Duration{minReconnectBackoff, 2 * minReconnectBackoff, 4 * minReconnectBackoff} {
		long, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := w.Wait(long)
		cancel()
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("attempt %d: Wait = %v, want a connection error", i, err)
		}
		if w.backoff != want || w.retryAt.IsZero() {
			t.Fatalf("attempt %d: backoff %v (retry at %v), want %v", i, w.backoff, w.retryAt, want)
		}
	}
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if err := w.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait ending during the backoff = %v, want DeadlineExceeded", err)
	}
	if w.backoff != 4*minReconnectBackoff {
		t.Fatalf("a Wait that ended during the backoff still tried: backoff %v", w.backoff)
	}
}
