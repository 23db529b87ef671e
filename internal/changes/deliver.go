package changes

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-gw/vigil/internal/store"
)

// errStuck means the Source returned a full batch without one change past
// the Follower's position: reading again would return the same batch.
var errStuck = errors.New("changes: source returned no change after the current position")

// catchUp reads and delivers changes until the feed is exhausted. With
// verify, an empty read is checked against LastChange, to notice changes
// purged while this process could not read them.
func (f *Follower) catchUp(ctx context.Context, verify bool) error {
	if verify {
		if err := f.checkPosition(ctx); err != nil {
			return err
		}
	}
	for {
		after := f.seq.Load()
		cs, err := f.src.Changes(ctx, after, f.batch)
		if err != nil {
			return fmt.Errorf("changes: read after %d: %w", after, err)
		}
		if len(cs) == 0 {
			if !verify {
				return nil
			}
			return f.verifyEnd(ctx, after)
		}
		progressed, err := f.deliver(ctx, cs)
		if err != nil {
			return err
		}
		if !progressed && len(cs) >= f.batch {
			return fmt.Errorf("%w (%d)", errStuck, after)
		}
		if len(cs) < f.batch {
			return nil
		}
	}
}

// deliver hands cs to the subscribers in order and reports whether any
// was past the current position. A failed resync stops it before the
// change after the gap.
func (f *Follower) deliver(ctx context.Context, cs []store.Change) (progressed bool, err error) {
	f.subMu.Lock()
	subs := f.subs
	f.subMu.Unlock()
	for _, c := range cs {
		cur := f.seq.Load()
		if c.Seq <= cur {
			// A backend breaking its contract; delivering it again could
			// undo a later change, so skip it.
			f.log.WarnContext(ctx, "change feed returned a change out of order; skipped",
				"seq", c.Seq, "after_seq", cur)
			continue
		}
		if c.Seq > cur+1 {
			if err := f.resync(ctx, cur, c.Seq); err != nil {
				return progressed, err
			}
		}
		for _, fn := range subs {
			fn(c)
		}
		f.last = c
		f.seq.Store(c.Seq)
		progressed = true
	}
	return progressed, nil
}

// checkPosition makes sure the change at the Follower's position is still
// the one it delivered. Seqs never go back, so another change under that
// number means the database did (restored from a backup, or a failover
// that lost commits) and has since numbered new changes past the old
// end: without this check the ones up to the position would be skipped
// as already seen. A purged position (nothing there) is fine.
func (f *Follower) checkPosition(ctx context.Context) error {
	f.verified = f.clock()
	pos := f.seq.Load()
	if f.last.Seq == 0 || f.last.Seq != pos {
		return nil
	}
	cs, err := f.src.Changes(ctx, pos-1, 1)
	if err != nil {
		return fmt.Errorf("changes: read at %d: %w", pos, err)
	}
	if len(cs) == 0 || cs[0].Seq != pos || sameChange(cs[0], f.last) {
		return nil
	}
	return f.wentBack(ctx, pos, pos-1)
}

func sameChange(a, b store.Change) bool {
	return a.Seq == b.Seq && a.Kind == b.Kind && a.Key == b.Key && a.At.Equal(b.At) && a.Reason == b.Reason
}

// wentBack drops every subscriber's cache, the feed having lost changes
// this process delivered, and resumes after resume; on a failed resync it
// stays, to notice the same again on the next try.
func (f *Follower) wentBack(ctx context.Context, pos, resume int64) error {
	f.log.WarnContext(ctx, "change feed went backwards (database restored or failed over with lost commits); dropping cached state",
		"after_seq", pos, "resume_after", resume)
	if err := f.dropCaches(); err != nil {
		return err
	}
	f.last = store.Change{}
	f.seq.Store(resume)
	return nil
}

// verifyEnd checks, after an empty read past after, that the feed really
// ends there. If LastChange is further on, it reads once more: a change
// that committed between the two queries shows up and is not a gap
// (Seqs follow commit order), while nothing at all means the changes up
// to LastChange were purged before this process read them.
func (f *Follower) verifyEnd(ctx context.Context, after int64) error {
	last, err := f.src.LastChange(ctx)
	if err != nil {
		return fmt.Errorf("changes: last change: %w", err)
	}
	if last < after {
		// Seqs never go back, so the database did, and has not yet
		// numbered as many changes again: the next ones would be skipped
		// as already seen.
		return f.wentBack(ctx, after, last)
	}
	if last == after {
		return nil
	}
	cs, err := f.src.Changes(ctx, after, f.batch)
	if err != nil {
		return fmt.Errorf("changes: read after %d: %w", after, err)
	}
	if len(cs) > 0 {
		return f.catchUp(ctx, false)
	}
	if err := f.resync(ctx, after, last+1); err != nil {
		return err
	}
	f.seq.Store(last)
	return nil
}

// resync reports that the changes after from and before next were never
// delivered.
func (f *Follower) resync(ctx context.Context, from, next int64) error {
	f.log.WarnContext(ctx, "change feed gap: changes were purged before this process read them; dropping cached state",
		"after_seq", from, "next_seq", next, "missed", next-from-1)
	return f.dropCaches()
}

// dropCaches runs every OnResync subscriber, and fails when any did.
func (f *Follower) dropCaches() error {
	f.subMu.Lock()
	resyncs := f.resyncs
	f.subMu.Unlock()
	var errs []error
	for _, fn := range resyncs {
		errs = append(errs, fn())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("changes: resync: %w", err)
	}
	return nil
}
