package changes

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

func TestNewRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"no source", Options{}},
		{"negative interval", Options{Source: &feed{}, Interval: -time.Second}},
		{"negative batch", Options{Source: &feed{}, Batch: -1}},
	} {
		if _, err := New(tc.o); err == nil {
			t.Errorf("New with %s succeeded", tc.name)
		}
	}
}

func TestDelivery(t *testing.T) {
	for _, tc := range []struct {
		name  string
		waker bool
		batch int
		n     int
	}{
		{"poll, one batch", false, 0, 3},
		{"poll, many batches", false, 7, 50},
		{"waker", true, 0, 3},
		{"waker, many batches", true, 4, 21},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &feed{}
			src.add(store.ChangeSessionRevoked, "before-start") // not replayed
			o := Options{Source: src, Batch: tc.batch, Interval: 5 * time.Millisecond}
			var b *bell
			if tc.waker {
				// A long interval: only the bell can make delivery prompt.
				b = newBell()
				o.Waker, o.Interval = b, time.Hour
			}
			f, rec, _ := follow(t, o)
			if f.Seq() != 1 || f.Synced().IsZero() {
				t.Fatalf("after start Seq = %d, Synced = %v; want 1 and set", f.Seq(), f.Synced())
			}
			want := keys("s", tc.n)
			for _, k := range want {
				src.add(store.ChangeSessionRevoked, k)
			}
			if b != nil {
				b.ring()
			}
			eventually(t, "every change", func() bool { return len(rec.keys()) >= tc.n })
			if got := rec.keys(); !slices.Equal(got, want) {
				t.Fatalf("delivered %v, want %v", got, want)
			}
			if f.Seq() != int64(tc.n+1) {
				t.Fatalf("Seq = %d, want %d", f.Seq(), tc.n+1)
			}
			for i, c := range rec.got {
				if c.Seq != int64(i+2) || c.Kind != store.ChangeSessionRevoked {
					t.Fatalf("change %d = %+v", i, c)
				}
			}
		})
	}
}

func TestSourceErrorsLoseNothing(t *testing.T) {
	src := &feed{}
	f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	src.add(store.ChangeUserRevoked, "a")
	eventually(t, "a", func() bool { return len(rec.keys()) == 1 })
	src.fail(3)
	src.add(store.ChangeUserRevoked, "b") // made while the store is unreachable
	src.add(store.ChangeUserRevoked, "c")
	eventually(t, "b and c", func() bool { return len(rec.keys()) == 3 })
	if got := rec.keys(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("delivered %v", got)
	}
	if rec.resynced() != 0 || f.Seq() != 3 {
		t.Fatalf("resyncs = %d, Seq = %d; want 0, 3", rec.resynced(), f.Seq())
	}
}

func TestStartRetriesLastChange(t *testing.T) {
	src := &feed{}
	src.add(store.ChangeRisk, "old")
	src.fail(2)
	f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	src.add(store.ChangeRisk, "new")
	eventually(t, "new", func() bool { return len(rec.keys()) == 1 })
	if got := rec.keys(); !slices.Equal(got, []string{"new"}) || f.Seq() != 2 {
		t.Fatalf("delivered %v, Seq %d", got, f.Seq())
	}
}

func TestGapResyncs(t *testing.T) {
	t.Run("newer change after a purge", func(t *testing.T) {
		src := &feed{}
		_, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
		src.fail(1 << 30) // the store is unreachable...
		src.add(store.ChangeSessionRevoked, "missed1")
		src.add(store.ChangeSessionRevoked, "missed2")
		src.purge(2) // ...for longer than the feed keeps changes
		src.add(store.ChangeSessionRevoked, "seen")
		src.fail(0)
		eventually(t, "seen", func() bool { return len(rec.keys()) == 1 })
		if rec.keys()[0] != "seen" || rec.resynced() != 1 {
			t.Fatalf("delivered %v with %d resyncs; want [seen] with 1", rec.keys(), rec.resynced())
		}
	})
	t.Run("purged to the end", func(t *testing.T) {
		src := &feed{}
		f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
		src.fail(1 << 30)
		src.add(store.ChangeSessionRevoked, "missed")
		src.purge(1)
		src.fail(0)
		eventually(t, "resync", func() bool { return rec.resynced() == 1 })
		eventually(t, "position", func() bool { return f.Seq() == 1 })
		src.add(store.ChangeSessionRevoked, "next")
		eventually(t, "next", func() bool { return len(rec.keys()) == 1 })
		if rec.resynced() != 1 {
			t.Fatalf("resyncs = %d, want 1", rec.resynced())
		}
	})
}

// TestFailedResyncIsRetried: a subscriber that cannot reload after a gap
// (its store failing) keeps the follower before the gap: the change after
// it is not delivered and Synced does not move until a resync succeeds,
// so nothing cached from before the gap is taken as current.
func TestFailedResyncIsRetried(t *testing.T) {
	src := &feed{}
	f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	rec.failResyncs(3)
	src.fail(1 << 30)
	src.add(store.ChangeSessionRevoked, "missed")
	src.purge(1)
	src.add(store.ChangeSessionRevoked, "after")
	synced := f.Synced()
	src.fail(0)
	eventually(t, "after", func() bool { return len(rec.keys()) == 1 })
	if rec.keys()[0] != "after" || rec.resynced() != 4 || f.Seq() != 2 {
		t.Fatalf("delivered %v after %d resyncs at Seq %d; want [after] after 4 (3 failed) at 2", rec.keys(), rec.resynced(), f.Seq())
	}
	if !f.Synced().After(synced) {
		t.Error("Synced did not move after the resync succeeded")
	}
}

// TestFeedGoingBackwardsResyncs: after the database is restored from a
// backup, or fails over having lost commits, the feed's end is behind the
// follower. Without a resync, the next changes would reuse Seqs it has
// already passed and be skipped: a revocation lost in silence.
func TestFeedGoingBackwardsResyncs(t *testing.T) {
	src := &feed{}
	f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	for _, k := range []string{"a", "b", "c"} {
		src.add(store.ChangeSessionRevoked, k)
	}
	eventually(t, "three changes", func() bool { return f.Seq() == 3 })
	src.restore(1)
	eventually(t, "resync", func() bool { return rec.resynced() == 1 })
	if f.Seq() != 1 {
		t.Fatalf("Seq after the restore = %d, want 1", f.Seq())
	}
	src.add(store.ChangeSessionRevoked, "after-restore")
	eventually(t, "the change made after the restore", func() bool { return len(rec.keys()) == 4 })
	if got := rec.keys()[3]; got != "after-restore" || rec.resynced() != 1 {
		t.Fatalf("delivered %q with %d resyncs", got, rec.resynced())
	}
}

// TestFeedGoingBackThenPastResyncs: the restored database numbers new
// changes past the follower's position before it looks: the change under
// its position is not the one it delivered, so it resyncs and delivers
// from there, instead of skipping what came before its position.
func TestFeedGoingBackThenPastResyncs(t *testing.T) {
	src := &feed{}
	b := newBell()
	f, rec, _ := follow(t, Options{Source: src, Waker: b, Interval: 20 * time.Millisecond})
	for _, k := range []string{"a", "b", "c"} {
		src.add(store.ChangeSessionRevoked, k)
	}
	b.ring()
	eventually(t, "three changes", func() bool { return f.Seq() == 3 })
	src.mu.Lock()
	src.failFor = 1 << 30 // hold the follower while the database goes back and on
	src.mu.Unlock()
	src.restore(1)
	for _, k := range []string{"x2", "x3", "x4"} {
		src.add(store.ChangeSessionRevoked, k)
	}
	src.fail(0)
	eventually(t, "resync", func() bool { return rec.resynced() == 1 })
	eventually(t, "the changes after the restore", func() bool { return len(rec.keys()) >= 5 })
	if got := rec.keys(); !slices.Equal(got, []string{"a", "b", "c", "x3", "x4"}) {
		t.Fatalf("delivered %v; want a b c, then x3 x4 after the resync (x2 is under the old position and covered by it)", got)
	}
}

// A change committed between an empty read and LastChange is no gap: it
// must be delivered, without a resync.
func TestVerifyRaceIsNoGap(t *testing.T) {
	src := &feed{}
	b := newBell()
	f, rec, _ := follow(t, Options{Source: src, Waker: b, Interval: 5 * time.Millisecond})
	src.mu.Lock()
	src.onLast = func() { src.add(store.ChangeSessionRevoked, "late") }
	src.mu.Unlock()
	// The next interval poll reads nothing, then calls LastChange.
	eventually(t, "late", func() bool { return len(rec.keys()) == 1 })
	if rec.resynced() != 0 || f.Seq() != 1 {
		t.Fatalf("resyncs = %d, Seq = %d; want 0, 1", rec.resynced(), f.Seq())
	}
}

func TestWakerErrorFallsBackToPolling(t *testing.T) {
	src := &feed{}
	b := newBell()
	b.err = errors.New("notification connection lost")
	_, rec, _ := follow(t, Options{Source: src, Waker: b, Interval: time.Hour})
	src.add(store.ChangeSessionRevoked, "s")
	eventually(t, "s", func() bool { return len(rec.keys()) == 1 })
}

// misordered returns its changes whatever is asked, as a broken backend.
type misordered struct{ cs []store.Change }

func (m misordered) Changes(_ context.Context, after int64, limit int) ([]store.Change, error) {
	return m.cs[:min(limit, len(m.cs))], nil
}
func (m misordered) LastChange(context.Context) (int64, error) { return 0, nil }

func TestOutOfOrderSkipped(t *testing.T) {
	src := misordered{cs: []store.Change{{Seq: 2, Key: "b"}, {Seq: 1, Key: "a"}, {Seq: 2, Key: "b-again"}, {Seq: 3, Key: "c"}}}
	f, rec, _ := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	eventually(t, "c", func() bool { return f.Seq() == 3 })
	if got := rec.keys(); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("delivered %v, want [b c]", got)
	}
	if rec.resynced() != 1 { // 0 -> 2 skipped seq 1
		t.Fatalf("resyncs = %d, want 1", rec.resynced())
	}
}

func TestRunTwice(t *testing.T) {
	src := &feed{}
	f, rec, cancel := follow(t, Options{Source: src, Interval: 5 * time.Millisecond})
	if err := f.Run(t.Context()); err == nil {
		t.Fatal("second concurrent Run succeeded")
	}
	cancel()
	eventually(t, "stopped", func() bool { return !f.running.Load() })
	src.add(store.ChangeRisk, "while-stopped")
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() { stop(); <-done }()
	// A restarted Run resumes after Seq: nothing made meanwhile is lost.
	eventually(t, "while-stopped", func() bool { return len(rec.keys()) == 1 })
}

func TestStuckSourceIsAnError(t *testing.T) {
	src := misordered{cs: []store.Change{{Seq: 1, Key: "a"}, {Seq: 2, Key: "b"}}}
	f, err := New(Options{Source: src, Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	f.seq.Store(5)
	if err := f.catchUp(t.Context(), false); !errors.Is(err, errStuck) {
		t.Fatalf("catchUp = %v, want errStuck", err)
	}
}
