package session

import (
	"context"
	"errors"
	"fmt"

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

// Revoke ends one session: deleted from the store, then from the cache. It
// returns an error wrapping ErrNoSession if the store had no such session.
// The cache entry is dropped and hooks run even when the store fails, so
// the next lookup asks the store again.
func (m *Manager) Revoke(ctx context.Context, sessionID string) error {
	err := m.store.DeleteSession(ctx, sessionID)
	m.forget([]string{sessionID})
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
	for _, s := range listed {
		ids = append(ids, s.ID)
	}
	m.mu.RLock()
	for id, e := range m.cache {
		if e.sess.UserID == userID {
			ids = append(ids, id)
		}
	}
	m.mu.RUnlock()
	m.forget(ids)
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
// store notification) or a session changed in the store.
func (m *Manager) Invalidate(sessionID string) {
	m.forget([]string{sessionID})
}

// forget evicts ids, bumping the generation so that no lookup that read
// the store before now can cache them again, then runs the hooks.
func (m *Manager) forget(ids []string) {
	m.mu.Lock()
	m.gen.Add(1)
	for _, id := range ids {
		delete(m.cache, id)
	}
	m.mu.Unlock()
	m.pendMu.Lock()
	for _, id := range ids {
		delete(m.pending, id)
	}
	m.pendMu.Unlock()
	m.hookMu.RLock()
	hooks := m.hooks
	m.hookMu.RUnlock()
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, fn := range hooks {
			fn(id)
		}
	}
}
