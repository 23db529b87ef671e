package transmitter

import (
	"context"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// One replica pushes: the one holding the store lease "ssf-push". Every
// replica runs Run; each tries to take the lease every third of its TTL,
// and the holder renews it then. A holder stops pushing as soon as a
// renewal fails or finds the lease gone, which happens before the lease
// can expire, so two replicas never push at once unless their clocks
// disagree by more than a third of the TTL.
const (
	leaseName       = "ssf-push"
	defaultLeaseTTL = 15 * time.Second
	minLeaseTTL     = 50 * time.Millisecond
	// releaseTimeout bounds the release at shutdown, when ctx is done.
	releaseTimeout = 5 * time.Second
)

// Run delivers queued SETs to push streams until ctx ends, while this
// replica holds the push lease; run it on every replica. The replica that
// takes the lease pushes until it loses it or the store stops answering;
// on return Run releases the lease so that another replica takes over
// within a third of the TTL rather than the whole TTL.
//
// Delivery is at least once: a SET pushed just before the role changed
// hands may be pushed again by the next holder (receivers drop a jti
// they have seen).
func (t *Transmitter) Run(ctx context.Context) {
	var (
		stop    func() // ends this replica's pushing; nil while it does not push
		mayHold bool   // the store may still have the lease as ours
		failing bool   // the last lease call failed (logged once per outage)
	)
	defer func() {
		if stop != nil {
			stop()
		}
		if mayHold {
			t.release(ctx)
		}
	}()
	tick := time.NewTicker(t.leaseTTL / 3)
	defer tick.Stop()
	for {
		held, err := t.acquire(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if stop != nil {
				stop()
				stop = nil
				t.log.ErrorContext(ctx, "ssf push: this replica stopped pushing: the store does not answer", "err", err)
			} else if !failing {
				t.log.WarnContext(ctx, "ssf push: cannot check the push lease", "err", err)
			}
			failing = true
		case held:
			failing, mayHold = false, true
			if stop == nil {
				stop = t.startPushing(ctx)
				t.log.InfoContext(ctx, "ssf push: this replica now pushes SETs", "replica", t.replica)
			}
		default:
			failing, mayHold = false, false
			if stop != nil {
				stop()
				stop = nil
				t.log.WarnContext(ctx, "ssf push: this replica lost the push role to another", "replica", t.replica)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// acquire takes or renews the lease. The call may take at most a third
// of the TTL: a renewal slower than that counts as a failure, leaving the
// holder a third of the TTL to stop before another replica may take over.
func (t *Transmitter) acquire(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, t.leaseTTL/3)
	defer cancel()
	held, _, err := t.store.AcquireLease(ctx, leaseName, t.replica, t.leaseTTL, t.clock())
	return held && err == nil, err
}

// release gives the lease up, with a context of its own since ctx is done.
func (t *Transmitter) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := t.store.ReleaseLease(ctx, leaseName, t.replica); err != nil {
		t.log.WarnContext(ctx, "ssf push: releasing the push lease failed; another replica takes over when it expires",
			"err", err)
	}
}

// startPushing runs the delivery loop until the returned stop is called,
// which cancels any push in flight and waits for the loop to end.
func (t *Transmitter) startPushing(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.pushing.Store(true)
	go func() {
		defer close(done)
		t.pushLoop(ctx)
	}()
	return func() {
		t.pushing.Store(false)
		cancel()
		<-done
	}
}

// Pushing reports whether this replica holds the push lease and delivers
// push streams' SETs (for metrics and health).
func (t *Transmitter) Pushing() bool { return t.pushing.Load() }

// Apply takes one change from the store's feed (a changes.Follower
// subscriber): a SET queued by any replica wakes this one's push loop, if
// it pushes, and its long polls. It never blocks.
func (t *Transmitter) Apply(c store.Change) {
	if c.Kind == store.ChangeSSFQueued {
		t.queued.notify()
	}
}
