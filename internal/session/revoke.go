package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// OnRevoke registers fn to be called with the ID of every session this
// manager revokes or invalidates, e.g. so an assertion cache can forget it.
// fn runs synchronously after the cache eviction and must be quick.
func (m *Manager) OnRevoke(fn func(sessionID string)) {
	m.hookMu.Lock()
	m.hooks = append(m.hooks, fn)
	m.hookMu.Unlock()
}

// Revoke ends one session: deleted from the store, then from the cache,
// and remembered as gone so that its cookie costs no store query. It
// returns an error wrapping ErrNoSession if the store had no such session.
// The cache entry is dropped, the session refused here and hooks run even
// when the store fails (fail closed on this replica).
func (m *Manager) Revoke(ctx context.Context, sessionID string) error {
	err := m.store.DeleteSession(ctx, sessionID)
	m.forget([]string{sessionID}, map[string]time.Time{})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errUnknown
	case err != nil:
		return fmt.Errorf("session: revoke: %w", err)
	}
	return nil
}

// RevokeUser ends every session of userID (see UserID) and returns how many
// the store deleted.
func (m *Manager) RevokeUser(ctx context.Context, userID string) (int, error) {
	if userID == "" {
		return 0, errors.New("session: revoke user: empty user ID")
	}
	// The IDs are listed first only to tell hooks about sessions this
	// replica never cached; the deletion itself does not depend on them.
	listed, listErr := m.store.ListSessions(ctx, userID)
	n, err := m.store.DeleteUserSessions(ctx, userID)
	ids := make([]string, 0, len(listed))
	expires := make(map[string]time.Time, len(listed))
	for _, s := range listed {
		ids = append(ids, s.ID)
		expires[s.ID] = s.ExpiresAt
	}
	m.mu.RLock()
	for id, e := range m.cache {
		if e.sess.UserID == userID {
			ids = append(ids, id)
		}
	}
	m.mu.RUnlock()
	m.forget(ids, expires)
	if err != nil {
		return n, fmt.Errorf("session: revoke user: %w", err)
	}
	if listErr != nil {
		m.log.WarnContext(ctx, "listing sessions for revocation hooks failed; sessions were deleted", "err", listErr)
	}
	return n, nil
}

// Invalidate drops a session from the cache and runs the hooks, without
// touching the store: for revocations made elsewhere (another replica, a
// store notification) or a session changed in the store. It adds no
// negative entry (a changed session must load again); the next lookup asks
// the store, and a revoked session is remembered as gone from then on.
func (m *Manager) Invalidate(sessionID string) {
	m.forget([]string{sessionID}, nil)
}

// forget evicts ids, bumping the generation so that no lookup that read
// the store before now can cache them again, then runs the hooks. With a
// non-nil gone map the ids are revoked: each is remembered as gone until
// its session's expiry (from gone or the cache; a revoked session cannot
// come back, so no sooner than the negative TTL).
func (m *Manager) forget(ids []string, gone map[string]time.Time) {
	// Callers may name a session twice (listed from the store and found in
	// the cache): each is forgotten, and its hooks run, once.
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	now := m.clock()
	var noted []string
	m.mu.Lock()
	m.gen.Add(1)
	for _, id := range ids {
		until := gone[id]
		why := errUnknown
		if e := m.cache[id]; e != nil {
			if e.sess.ExpiresAt.After(until) {
				until = e.sess.ExpiresAt
			}
			why = m.revokedErr(e.sess.UserID, now)
			if gone != nil {
				noted = append(noted, e.sess.UserID)
			}
		}
		delete(m.cache, id)
		if gone != nil {
			m.addNegativeLocked(id, why, later(until, now.Add(m.negTTL)))
		}
	}
	m.mu.Unlock()
	m.consumeNotes(noted)
	m.pendMu.Lock()
	for _, id := range ids {
		delete(m.pending, id)
	}
	m.pendMu.Unlock()
	m.hookMu.RLock()
	hooks := m.hooks
	m.hookMu.RUnlock()
	for _, id := range ids {
		for _, fn := range hooks {
			fn(id)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
