package changes

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

var errDown = errors.New("database is down")

// feed is an in-memory Source with switches for failures.
type feed struct {
	mu      sync.Mutex
	changes []store.Change
	last    int64
	failFor int    // fail this many more calls
	onLast  func() // runs once inside LastChange, before it reads last
	calls   int
}

var _ Source = (*feed)(nil)

func (s *feed) add(kind, key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last++
	s.changes = append(s.changes, store.Change{Seq: s.last, Kind: kind, Key: key, At: time.Unix(s.last, 0).UTC()})
	return s.last
}

// purge drops every change up to seq, as PurgeChanges would.
func (s *feed) purge(seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = slices.DeleteFunc(s.changes, func(c store.Change) bool { return c.Seq <= seq })
}

// restore rolls the feed back to seq, as restoring a backup taken then
// (or failing over to a replica that had not seen the rest) would.
func (s *feed) restore(seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = slices.DeleteFunc(s.changes, func(c store.Change) bool { return c.Seq > seq })
	s.last = seq
}

func (s *feed) fail(n int) {
	s.mu.Lock()
	s.failFor = n
	s.mu.Unlock()
}

func (s *feed) Changes(_ context.Context, after int64, limit int) ([]store.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failFor > 0 {
		s.failFor--
		return nil, errDown
	}
	var out []store.Change
	for _, c := range s.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *feed) LastChange(context.Context) (int64, error) {
	s.mu.Lock()
	if s.failFor > 0 {
		s.failFor--
		s.mu.Unlock()
		return 0, errDown
	}
	hook := s.onLast
	s.onLast = nil
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, nil
}

// bell is a Waker rung by the test.
type bell struct {
	ch  chan struct{}
	err error
}

func newBell() *bell { return &bell{ch: make(chan struct{}, 1)} }

func (b *bell) ring() {
	select {
	case b.ch <- struct{}{}:
	default:
	}
}

func (b *bell) Wait(ctx context.Context) error {
	if b.err != nil {
		return b.err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-b.ch:
		return nil
	}
}

// recorder collects what a Follower delivers.
type recorder struct {
	mu          sync.Mutex
	got         []store.Change
	resyncs     int
	resyncFails int // the next resyncs that fail, as a reload from a failing store would
}

func (r *recorder) failResyncs(n int) {
	r.mu.Lock()
	r.resyncFails = n
	r.mu.Unlock()
}

func (r *recorder) apply(c store.Change) {
	r.mu.Lock()
	r.got = append(r.got, c)
	r.mu.Unlock()
}

func (r *recorder) resync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resyncs++
	if r.resyncFails > 0 {
		r.resyncFails--
		return errors.New("reload failed")
	}
	return nil
}

func (r *recorder) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.got {
		out = append(out, c.Key)
	}
	return out
}

func (r *recorder) resynced() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resyncs
}

// follow starts a Follower over src and waits until it is ready.
func follow(t *testing.T, o Options) (*Follower, *recorder, context.CancelFunc) {
	t.Helper()
	f, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rec := &recorder{}
	f.Subscribe(rec.apply)
	f.OnResync(rec.resync)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
	eventually(t, "ready", f.Ready)
	return f, rec, cancel
}

// eventually polls cond until it holds, failing after a generous deadline
// (the machine may be busy); it never sleeps for correctness.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}
