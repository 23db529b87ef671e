package session

import (
	"context"
	"fmt"
	"time"
)

// finalFlushTimeout bounds the flush Run does after its context ends.
const finalFlushTimeout = 5 * time.Second

// Run writes last-seen times behind every FlushInterval and deletes expired
// sessions every PurgeInterval, until ctx ends or Close is called. It
// flushes once more before returning.
func (m *Manager) Run(ctx context.Context) error {
	flush := time.NewTicker(m.flushEvery)
	defer flush.Stop()
	purge := time.NewTicker(m.purgeEvery)
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
			defer cancel()
			return m.Flush(fctx)
		case <-m.closed:
			return nil // Close flushes
		case <-flush.C:
			if err := m.Flush(ctx); err != nil {
				m.log.WarnContext(ctx, "session last-seen flush failed; will retry", "err", err)
			}
		case <-purge.C:
			n, err := m.store.DeleteExpiredSessions(ctx, m.clock())
			if err != nil {
				m.log.WarnContext(ctx, "expired session purge failed", "err", err)
			} else if n > 0 {
				m.log.DebugContext(ctx, "purged expired sessions", "count", n)
			}
		}
	}
}

// Close stops Run and flushes pending last-seen times. Lookups keep
// working after Close, but nothing more is written behind.
func (m *Manager) Close(ctx context.Context) error {
	m.closeOnce.Do(func() { close(m.closed) })
	return m.Flush(ctx)
}

// Flush writes every last-seen time newer than the store's in one batch, and
// drops expired sessions from the cache. On failure the times are kept for
// the next flush.
func (m *Manager) Flush(ctx context.Context) error {
	now := m.clock()
	batch := m.takePending()
	type refused struct {
		e   *entry
		err error
	}
	var expired []refused
	m.mu.RLock()
	for id, e := range m.cache {
		last := time.Unix(0, e.lastSeen.Load())
		if e.dirty.Swap(false) {
			if t := last.UTC(); t.After(batch[id]) {
				batch[id] = t
			}
		}
		if err := m.check(e.sess, last, now); err != nil {
			expired = append(expired, refused{e, err})
		}
	}
	m.mu.RUnlock()
	for _, r := range expired {
		m.drop(r.e, r.err, now)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := m.store.TouchSessions(ctx, batch); err != nil {
		m.addPending(batch)
		return fmt.Errorf("session: flush %d last-seen times: %w", len(batch), err)
	}
	return nil
}

// takePending empties and returns the pending map (never nil).
func (m *Manager) takePending() map[string]time.Time {
	m.pendMu.Lock()
	defer m.pendMu.Unlock()
	p := m.pending
	m.pending = make(map[string]time.Time, len(p))
	return p
}

// addPending merges times into pending, keeping the later of two. Past
// cacheSize entries it drops the newcomers: losing a last-seen time only
// shortens that session's idle life, and memory stays bounded while the
// store is down.
func (m *Manager) addPending(seen map[string]time.Time) {
	m.pendMu.Lock()
	defer m.pendMu.Unlock()
	for id, t := range seen {
		old, ok := m.pending[id]
		if !ok && len(m.pending) >= m.cacheSize {
			continue
		}
		if t.After(old) {
			m.pending[id] = t
		}
	}
}
