package session

import (
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Apply applies one change from the store's change feed, so that a
// revocation made by any process (another replica, the CLI, a detector, a
// received security event) is denied here on the very next request:
//
//   - session-revoked: the session is refused from now on (negative
//     cache), without a store query, and the OnRevoke hooks run;
//   - user-revoked, provider-revoked: the same for every cached session of
//     that user or provider; sessions not cached here need nothing, since
//     the store no longer has them;
//   - session-updated: the session is dropped from the cache and reloads
//     from the store on next use (Invalidate);
//   - anything else is not the session cache's business and is ignored.
//
// It is meant as a changes.Follower subscriber: quick, no store call.
func (m *Manager) Apply(c store.Change) {
	if c.Key == "" {
		return // matches nothing; a broken writer, not a reason to drop anything
	}
	switch c.Kind {
	case store.ChangeSessionRevoked:
		m.forget([]string{c.Key}, map[string]time.Time{})
	case store.ChangeUserRevoked:
		m.forgetCached(func(s *store.Session) bool { return s.UserID == c.Key && before(s, c.At) })
		// The revocation the note announced is here, whether or not this
		// replica cached a session of the user: the note has served.
		m.consumeNotes([]string{c.Key})
	case store.ChangeProviderRevoked:
		m.forgetCached(func(s *store.Session) bool { return s.Provider == c.Key && before(s, c.At) })
	case store.ChangeSessionUpdated:
		m.Invalidate(c.Key)
	case store.ChangeRevokeNote:
		m.applyNote(c)
	}
}

// forgetCached revokes every cached session that match selects. The
// generation is bumped before the scan: a lookup that read the store
// before the revocation either cached its session already (the scan sees
// it) or finds the generation moved and reads again (and finds it gone).
// Bumping only after the scan would let such a lookup slip its session in
// between, unmatched and served.
func (m *Manager) forgetCached(match func(*store.Session) bool) {
	m.gen.Add(1)
	var ids []string
	m.mu.RLock()
	for id, e := range m.cache {
		if match(e.sess) {
			ids = append(ids, id)
		}
	}
	m.mu.RUnlock()
	if len(ids) > 0 {
		m.forget(ids, map[string]time.Time{})
	}
}

// Resync drops every cached session, so that each loads again from the
// store on next use, and runs the OnRevoke hooks for them. It is for when
// the change feed may have lost changes (changes.Follower.OnResync). Sessions
// known gone stay refused: a revoked session never comes back. Unflushed
// last-seen times are kept for the next Flush, so that no session looks
// idler than it is when it reloads.
func (m *Manager) Resync() {
	m.mu.Lock()
	m.gen.Add(1) // no lookup that read the store before now may cache its result
	old := m.cache
	m.cache = make(map[string]*entry, len(old))
	m.mu.Unlock()
	seen := make(map[string]time.Time)
	for id, e := range old {
		if e.dirty.Load() {
			seen[id] = time.Unix(0, e.lastSeen.Load()).UTC()
		}
	}
	m.addPending(seen)
	for id := range old {
		m.runHooks(id)
	}
	if len(old) > 0 {
		m.log.Warn("session cache dropped after a gap in the change feed", "sessions", len(old))
	}
}

// before reports whether s began no later than a revocation at at: a
// session the user made after it (signing in again right away, on another
// replica) is not one it ended. A zero at (a broken writer) matches all.
func before(s *store.Session, at time.Time) bool {
	return at.IsZero() || !s.CreatedAt.After(at)
}
