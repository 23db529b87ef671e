package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// UpdateIdentity replaces the identity of a live session, e.g. to record
// an identity verification made after sign-in. The user and provider must
// stay the same: a different person needs a new session. The cached entry
// is replaced (its last-seen time kept) and the OnRevoke hooks run, so
// that whatever was derived from the old identity (cached assertions) is
// dropped. It returns the updated session, which is shared and read-only.
// id must not be modified afterwards: the session shares it.
func (m *Manager) UpdateIdentity(ctx context.Context, sessionID string, id identity.Identity) (*store.Session, error) {
	old, err := m.current(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if id.Provider != old.Identity.Provider || id.Subject != old.Identity.Subject {
		return nil, errors.New("session: update identity: provider and subject must not change")
	}
	err = m.store.UpdateSessionIdentity(ctx, sessionID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m.Invalidate(sessionID)
		return nil, errUnknown
	case err != nil:
		// The store may or may not hold the new identity: make the next
		// lookup read it rather than serve a stale one.
		m.Invalidate(sessionID)
		return nil, fmt.Errorf("session: update identity: %w", err)
	}
	updated := *old
	updated.Identity = id
	m.mu.Lock()
	m.gen.Add(1) // a lookup that read the old row must not cache it now
	if e := m.cache[sessionID]; e != nil {
		s := *e.sess
		s.Identity = id
		ne := &entry{sess: &s}
		ne.lastSeen.Store(e.lastSeen.Load())
		ne.dirty.Store(e.dirty.Load())
		m.cache[sessionID] = ne
	}
	m.mu.Unlock()
	m.runHooks(sessionID)
	return &updated, nil
}

// current returns the session from the cache, or the store.
func (m *Manager) current(ctx context.Context, sessionID string) (*store.Session, error) {
	m.mu.RLock()
	e := m.cache[sessionID]
	m.mu.RUnlock()
	if e != nil {
		return e.sess, nil
	}
	s, err := m.store.GetSession(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("session: update identity: %w", err)
	}
	return s, nil
}

func (m *Manager) runHooks(sessionID string) {
	m.hookMu.RLock()
	hooks := m.hooks
	m.hookMu.RUnlock()
	for _, fn := range hooks {
		fn(sessionID)
	}
}
