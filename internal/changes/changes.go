// Package changes tails the store's change feed (store.Change) and hands
// each change, in Seq order, to the caches of this process: the session
// cache drops revoked sessions, risk reloads a user's factors. It is how a
// revocation made on one replica is denied on the very next request on
// every other one, without a cache timeout.
//
// The feed is the truth and the wake-up is only a hint. A Follower
// remembers the last Seq it delivered and always reads on from there, so
// a lost wake-up, a lost database connection or a restart of the Waker
// delays a change but never drops it. A backend with push notifications
// (PostgreSQL LISTEN/NOTIFY) plugs in as a Waker whose Wait returns on a
// notification; SQLite's Waiter polls PRAGMA data_version; with no Waker
// the Follower polls the feed on its interval.
//
// It must never skip a change silently: a gap in Seq (changes purged
// before this process read them) is logged and reported to the OnResync
// subscribers, which must then drop everything they cache.
package changes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Source is the change feed of a store backend.
type Source interface {
	// Changes returns up to limit changes with Seq above afterSeq, in Seq
	// order. Seqs have no gaps unless changes were purged.
	Changes(ctx context.Context, afterSeq int64, limit int) ([]store.Change, error)
	// LastChange returns the highest Seq handed out so far, 0 if none.
	LastChange(ctx context.Context) (int64, error)
}

// Waker tells a Follower when the feed may have grown. Wait returns nil
// when something may have changed (spurious returns are fine, they cost
// one read of the feed), or ctx's error. Only one Wait runs at a time, and
// a change made between two Waits must make the second return at once.
// Implementations: *sqlite.Waiter; PostgreSQL's LISTEN connection.
type Waker interface {
	Wait(ctx context.Context) error
}

// Defaults for zero Options fields.
const (
	DefaultInterval = time.Second
	DefaultBatch    = 500
	// maxBackoff caps the wait between retries of a failing Source: it is
	// also how long sessions may stay refused after the database returns
	// (past store.max_stale), so it is short; a failed read costs little.
	maxBackoff = 2 * time.Second
	// minBackoff is the first retry delay, and the pause after a Waker
	// error, so that a broken Waker cannot spin.
	minBackoff = 50 * time.Millisecond
)

// Options configure a Follower. Source is required.
type Options struct {
	Source Source
	// Waker wakes the Follower early; nil means poll the feed every
	// Interval. With a Waker, the feed is still read every Interval in
	// case a wake-up was lost.
	Waker    Waker
	Interval time.Duration    // default 1s
	Batch    int              // changes read per query; default 500
	Logger   *slog.Logger     // default discards
	Clock    func() time.Time // stamps Synced; default time.Now
}

// Follower delivers the change feed to its subscribers. Create it with
// New, subscribe, then Run it on its own goroutine.
type Follower struct {
	src      Source
	waker    Waker
	interval time.Duration
	batch    int
	log      *slog.Logger
	clock    func() time.Time

	subMu   sync.Mutex
	subs    []func(store.Change)
	resyncs []func() error
	running atomic.Bool
	started bool // guarded by subMu: seq holds a position to resume from
	seq     atomic.Int64
	// last is the change at seq as delivered (zero Seq before the first):
	// finding another change under its number means the feed went back.
	// Only the Run goroutine touches it.
	last     store.Change
	verified time.Time // when the position was last checked, by clock
	ready    atomic.Bool
	syncedAt atomic.Int64 // UnixNano of the last catch-up, 0 before
}

// New returns a Follower reading o.Source.
func New(o Options) (*Follower, error) {
	if o.Source == nil {
		return nil, errors.New("changes: no source")
	}
	if o.Interval < 0 || o.Batch < 0 {
		return nil, errors.New("changes: interval and batch must not be negative")
	}
	clock := o.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Follower{
		src:      o.Source,
		waker:    o.Waker,
		interval: cmp.Or(o.Interval, DefaultInterval),
		batch:    cmp.Or(o.Batch, DefaultBatch),
		log:      cmp.Or(o.Logger, slog.New(slog.DiscardHandler)),
		clock:    clock,
	}, nil
}

// Subscribe registers fn for every change delivered from now on. fn runs
// on the Follower's goroutine, in Seq order, and must be quick: the next
// change waits for it. Subscribe before Run so that nothing is missed.
func (f *Follower) Subscribe(fn func(store.Change)) {
	f.subMu.Lock()
	f.subs = append(f.subs, fn)
	f.subMu.Unlock()
}

// OnResync registers fn to be called when changes may have been missed
// (purged from the feed before this process read them). fn must drop
// everything it caches from the store and reload what it needs; it runs on
// the Follower's goroutine before the changes after the gap are delivered.
// An error (a reload that failed) keeps the Follower where it was: it
// retries the resync, calling every fn again, and is not caught up
// meanwhile (Synced does not move), so a cache that could not be rebuilt
// is never taken as current.
func (f *Follower) OnResync(fn func() error) {
	f.subMu.Lock()
	f.resyncs = append(f.resyncs, fn)
	f.subMu.Unlock()
}

// Seq returns the Seq of the last change delivered (or skipped over at
// start).
func (f *Follower) Seq() int64 { return f.seq.Load() }

// Ready reports whether the Follower has caught up with the feed at least
// once, for the readiness probe.
func (f *Follower) Ready() bool { return f.ready.Load() }

// Synced returns when the Follower last caught up with the feed (by its
// Clock), the zero time before the first time. A replica whose store is
// unreachable keeps serving from its caches; this lets the caller judge
// how stale they may be.
func (f *Follower) Synced() time.Time {
	n := f.syncedAt.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Run follows the feed until ctx ends, then returns ctx's error. The
// first Run starts after the feed's current end: history is not replayed,
// because caches start empty. A later Run resumes after Seq. Source and
// Waker errors are logged and retried with backoff; Run never returns
// for them, since a replica that stops following must not stop serving
// silently (Ready and Synced tell the probes).
func (f *Follower) Run(ctx context.Context) error {
	if !f.running.CompareAndSwap(false, true) {
		return errors.New("changes: follower already running")
	}
	defer f.running.Store(false)
	if err := f.start(ctx); err != nil {
		return err
	}
	var backoff, wakeBackoff time.Duration
	verify := false // check LastChange on an empty read: set after errors
	for {
		err := f.catchUp(ctx, verify)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			verify = true
			f.log.WarnContext(ctx, "change feed read failed; retrying", "err", err, "after_seq", f.Seq(), "retry_in", backoff)
			if err := sleep(ctx, backoff); err != nil {
				return err
			}
			continue
		}
		backoff, verify = 0, false
		f.ready.Store(true)
		f.syncedAt.Store(f.clock().UnixNano())
		timedOut, err := f.wait(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			// A broken Waker degrades to polling, backing off to the
			// interval so that it neither spins nor floods the log.
			wakeBackoff = min(max(2*wakeBackoff, minBackoff), f.interval)
			f.log.WarnContext(ctx, "change feed wake-up failed; reading the feed anyway", "err", err, "retry_in", wakeBackoff)
			if err := sleep(ctx, wakeBackoff); err != nil {
				return err
			}
		} else {
			wakeBackoff = 0
		}
		// A poll on the interval also checks for changes purged from
		// under us or a feed that went back, as after an error; so does a
		// wake-up once an interval has passed, since on a busy feed
		// wake-ups may never leave room for a poll.
		verify = timedOut || err != nil || f.clock().Sub(f.verified) >= f.interval
	}
}

// start sets the position the first Run reads from, retrying LastChange
// until it answers or ctx ends.
func (f *Follower) start(ctx context.Context) error {
	f.subMu.Lock()
	started := f.started
	f.subMu.Unlock()
	if started {
		return nil
	}
	backoff := minBackoff
	for {
		seq, err := f.src.LastChange(ctx)
		if err == nil {
			f.seq.Store(seq)
			f.subMu.Lock()
			f.started = true
			f.subMu.Unlock()
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f.log.WarnContext(ctx, "change feed position unknown; retrying", "err", err, "retry_in", backoff)
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// wait blocks until the Waker fires or Interval passes. It reports
// whether the interval ran out.
func (f *Follower) wait(ctx context.Context) (timedOut bool, err error) {
	if f.waker == nil {
		return true, sleep(ctx, f.interval)
	}
	wctx, cancel := context.WithTimeout(ctx, f.interval)
	defer cancel()
	err = f.waker.Wait(wctx)
	if ctx.Err() == nil && wctx.Err() != nil {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("changes: wake-up: %w", err)
	}
	return false, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
