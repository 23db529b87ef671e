package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/changes"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/postgres"
)

// follow runs a change Follower on db's feed, woken by waker, until the
// test ends; it returns what the follower delivered so far and how many
// resyncs (gaps) it reported. The interval is an hour: only the waker can
// bring a change in time.
func follow(t *testing.T, db *postgres.DB, waker changes.Waker) (delivered func() []store.Change, resyncs *atomic.Int32) {
	t.Helper()
	f, err := changes.New(changes.Options{Source: db, Waker: waker, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []store.Change
	)
	resyncs = new(atomic.Int32)
	f.Subscribe(func(c store.Change) {
		mu.Lock()
		got = append(got, c)
		mu.Unlock()
	})
	f.OnResync(func() error { resyncs.Add(1); return nil })
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_ = f.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	eventually(t, "the follower's first catch-up", f.Ready)
	return func() []store.Change {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}, resyncs
}

func TestFollowerAcrossReplicas(t *testing.T) {
	parallel(t)
	a, dsn := openFresh(t, postgres.Options{})
	b := openDSN(t, dsn, postgres.Options{})
	ctx := t.Context()
	if _, err := a.AppendChange(ctx, store.ChangeRisk, "history", time.Now()); err != nil {
		t.Fatal(err)
	}
	delivered, resyncs := follow(t, b, newWaiter(t, b))
	if _, err := a.DeleteUserSessions(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeApp(ctx, "wiki", time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "both changes on the other replica", func() bool { return len(delivered()) == 2 })
	if got := keys(delivered()); !slices.Equal(got, []string{"user-revoked u1", "app-revoked wiki"}) {
		t.Fatalf("delivered %v", got)
	}
	if n := resyncs.Load(); n != 0 {
		t.Fatalf("%d resyncs, want none", n)
	}
}

// countingWaker counts the errors its Waiter returned while not asked to stop.
type countingWaker struct {
	w    changes.Waker
	errs atomic.Int32
}

func (c *countingWaker) Wait(ctx context.Context) error {
	err := c.w.Wait(ctx)
	if err != nil && ctx.Err() == nil {
		c.errs.Add(1)
	}
	return err
}

// TestFollowerMissesNoRevocation cuts the replica's listening connection
// off twice while another replica revokes sessions: the Waiter reports the
// loss, reconnects, and the Follower still delivers every revocation, in
// order, with no gap.
func TestFollowerMissesNoRevocation(t *testing.T) {
	parallel(t)
	a, dsn := openFresh(t, postgres.Options{})
	b := openDSN(t, dsn, postgres.Options{})
	ctx := t.Context()
	w := newWaiter(t, b)
	waker := &countingWaker{w: w}
	delivered, resyncs := follow(t, b, waker)
	const n = 40
	var want []string
	first := postgres.WaiterPIDForTest(w)
	for i := range n {
		switch i {
		case n / 4:
			terminate(t, first)
		case n / 2:
			// Again, once the Waiter is listening on a new connection.
			eventually(t, "the waiter to reconnect", func() bool {
				pid := postgres.WaiterPIDForTest(w)
				return pid != 0 && pid != first
			})
			terminate(t, postgres.WaiterPIDForTest(w))
		}
		user := fmt.Sprintf("u%d", i)
		if _, err := a.DeleteUserSessions(ctx, user); err != nil {
			t.Fatal(err)
		}
		want = append(want, "user-revoked "+user)
	}
	eventually(t, "every revocation on the other replica", func() bool { return len(delivered()) >= n })
	if got := keys(delivered()); !slices.Equal(got, want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	eventually(t, "the waiter to report the lost connections", func() bool { return waker.errs.Load() >= 2 })
	if r := resyncs.Load(); r != 0 {
		t.Fatalf("%d resyncs: the follower saw a gap", r)
	}
}

func keys(cs []store.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+" "+c.Key)
	}
	return out
}
