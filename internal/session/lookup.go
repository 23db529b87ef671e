package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Lookup returns the session named by a cookie value. A cached session costs
// no store call. Errors wrapping ErrNoSession mean "log in"; any other error
// is a store failure and the caller must fail closed.
//
// The returned session is shared and must not be modified. Its LastSeenAt is
// the value when it was loaded; the manager tracks the live one.
func (m *Manager) Lookup(ctx context.Context, value string) (*store.Session, error) {
	tok, err := m.codec.decode(value)
	if err != nil {
		return nil, errCookie
	}
	var id [idLen]byte
	tok.idInto(&id)
	now := m.clock()

	m.mu.RLock()
	e := m.cache[string(id[:])] // the conversion does not allocate in a map index
	var goneErr error
	if e == nil {
		goneErr = m.negativeLocked(string(id[:]), now)
	}
	m.mu.RUnlock()
	if goneErr != nil {
		return nil, goneErr // known gone: no store query
	}
	if e == nil {
		return m.load(ctx, string(id[:]), now)
	}
	if err := m.check(e.sess, time.Unix(0, e.lastSeen.Load()), now); err != nil {
		m.drop(e, err, now)
		return nil, err
	}
	// Sub-second refreshes are skipped: busy sessions would otherwise write
	// the same cache line on every request.
	if n := now.UnixNano(); n-e.lastSeen.Load() >= int64(time.Second) {
		e.lastSeen.Store(n)
		e.dirty.Store(true)
	}
	return e.sess, nil
}

// LookupRequest is Lookup for the request's session cookie.
func (m *Manager) LookupRequest(r *http.Request) (*store.Session, error) {
	c, err := r.Cookie(m.cookieName)
	if err != nil {
		return nil, fmt.Errorf("%w: no cookie", ErrNoSession)
	}
	return m.Lookup(r.Context(), c.Value)
}

// check enforces the absolute and idle timeouts.
func (m *Manager) check(s *store.Session, lastSeen, now time.Time) error {
	if !now.Before(s.ExpiresAt) {
		return errExpired
	}
	if lastSeen.IsZero() || now.Sub(lastSeen) >= m.idle {
		return errIdle
	}
	return nil
}

// load fetches a session the cache lacks and caches it, or remembers that
// it is gone.
func (m *Manager) load(ctx context.Context, id string, now time.Time) (*store.Session, error) {
	gen := m.gen.Load()
	s, err := m.fetch(ctx, id, now)
	if err == nil && !m.insert(s, now, gen) {
		// A revocation ran while we read, after deleting from the store:
		// read again rather than serve (or cache) what it may have ended.
		s, err = m.fetch(ctx, id, now)
	}
	if errors.Is(err, ErrNoSession) {
		// Store failures are not remembered: they fail closed each time.
		m.addNegative(id, err, m.negativeUntil(err, now))
	}
	return s, err
}

func (m *Manager) fetch(ctx context.Context, id string, now time.Time) (*store.Session, error) {
	s, err := m.store.GetSession(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errUnknown
	case err != nil:
		return nil, fmt.Errorf("session: store: %w", err)
	case s.ID != id:
		return nil, errors.New("session: store returned a different session")
	}
	last := s.LastSeenAt
	if last.IsZero() {
		last = s.CreatedAt
	}
	if err := m.check(s, last, now); err != nil {
		return nil, err
	}
	return s, nil
}

// insert caches s as seen at now, unless a revocation happened since gen
// was read. It reports whether the cache may serve s.
func (m *Manager) insert(s *store.Session, now time.Time, gen uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen.Load() != gen {
		return false
	}
	// A session we may serve is never shadowed by a negative entry.
	delete(m.neg, s.ID)
	if _, ok := m.cache[s.ID]; ok {
		return true // a concurrent miss got here first
	}
	if len(m.cache) >= m.cacheSize {
		m.evictOneLocked()
	}
	if s.IDToken != "" {
		// The raw ID token is over a kilobyte and needed only at logout
		// (id_token_hint), which reads it from the store: the cache, on
		// every replica for every session, goes without it.
		c := *s
		c.IDToken = ""
		s = &c
	}
	s = trimClaims(s, m.claims.Load())
	e := &entry{sess: s}
	e.lastSeen.Store(now.UnixNano())
	e.dirty.Store(now.After(s.LastSeenAt))
	m.cache[s.ID] = e
	return true
}

// evictOneLocked makes room by dropping an arbitrary entry (map order is
// random enough for a cache that should rarely be full), keeping its
// unflushed last-seen time. The caller holds m.mu.
func (m *Manager) evictOneLocked() {
	for id, e := range m.cache {
		if e.dirty.Load() {
			m.addPending(map[string]time.Time{id: time.Unix(0, e.lastSeen.Load()).UTC()})
		}
		delete(m.cache, id)
		return
	}
}

// drop removes e from the cache if it is still there (a session that check
// refused with err at now) and remembers it as gone.
func (m *Manager) drop(e *entry, err error, now time.Time) {
	m.mu.Lock()
	if m.cache[e.sess.ID] == e {
		delete(m.cache, e.sess.ID)
		m.addNegativeLocked(e.sess.ID, err, m.negativeUntil(err, now))
	}
	m.mu.Unlock()
}
