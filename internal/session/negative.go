package session

import (
	"errors"
	"time"
)

// The negative cache remembers sessions known to be gone (revoked, expired
// or unknown to the store) so that replaying an old but authentic cookie
// costs no store query: the request hot path must not touch the database,
// and an attacker must not be able to load it by replaying cookies. Only
// authentic cookies reach it (forged ones fail decryption first).

// negEvictScan bounds how many entries a full negative cache looks at for
// an expired one before dropping an arbitrary entry instead.
const negEvictScan = 16

// gone is a negative cache entry: the session is refused with err until
// the UnixNano time until.
type gone struct {
	until int64
	err   error
}

// negativeUntil is how long a session refused with err stays refused
// without asking the store again. Idle refusals are kept only briefly:
// another replica may have seen a use it has not yet written behind.
func (m *Manager) negativeUntil(err error, now time.Time) time.Time {
	ttl := m.negTTL
	if errors.Is(err, errIdle) {
		ttl = min(ttl, 2*m.flushEvery)
	}
	return now.Add(ttl)
}

// negativeLocked returns why id is known gone at now, or nil when it is
// not. The caller holds m.mu (read or write).
func (m *Manager) negativeLocked(id string, now time.Time) error {
	g, ok := m.neg[id]
	if !ok || now.UnixNano() >= g.until {
		return nil
	}
	return g.err
}

// addNegativeLocked marks id gone until the given time. A session the
// positive cache holds is never shadowed (it was just created or loaded).
// The caller holds m.mu for writing.
func (m *Manager) addNegativeLocked(id string, err error, until time.Time) {
	if m.negSize == 0 {
		return
	}
	if _, live := m.cache[id]; live {
		return
	}
	if old, ok := m.neg[id]; ok {
		if old.until > until.UnixNano() {
			until = time.Unix(0, old.until)
		}
		// A second eviction of the same revocation (the local one after
		// the change feed's, which consumed the note) must not replace
		// the reason the user is owed with a bare "gone".
		var was, is *Revoked
		if errors.As(old.err, &was) && !errors.As(err, &is) && old.until > m.clock().UnixNano() {
			err = old.err
		}
	} else if len(m.neg) >= m.negSize {
		m.evictNegativeLocked()
	}
	m.neg[id] = gone{until: until.UnixNano(), err: err}
}

// addNegative is addNegativeLocked taking the lock.
func (m *Manager) addNegative(id string, err error, until time.Time) {
	m.mu.Lock()
	m.addNegativeLocked(id, err, until)
	m.mu.Unlock()
}

// evictNegativeLocked drops an expired entry if one of the first few it
// sees is, else an arbitrary one (map order is random).
func (m *Manager) evictNegativeLocked() {
	now := m.clock().UnixNano()
	var victim string
	n := 0
	for id, g := range m.neg {
		if g.until <= now {
			victim = id
			break
		}
		if n == 0 {
			victim = id
		}
		if n++; n >= negEvictScan {
			break
		}
	}
	delete(m.neg, victim)
}

// clearNegative forgets that id was gone.
func (m *Manager) clearNegative(id string) {
	m.mu.Lock()
	delete(m.neg, id)
	m.mu.Unlock()
}
