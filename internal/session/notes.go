package session

import (
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Revoked is the error for a session that was revoked with a reason the
// user may read (an administrator's note, the risk that ended it). It is
// an ErrNoSession: the remedy is still to sign in.
type Revoked struct{ Reason string }

func (r *Revoked) Error() string { return "session: revoked: " + r.Reason }

// Unwrap makes a Revoked an ErrNoSession.
func (r *Revoked) Unwrap() error { return ErrNoSession }

// Notes are short-lived: a note precedes its revocation by moments (the
// change feed delivers in order), so one older than noteTTL is stale, and
// the revocation that uses it consumes it: a later sign-out for another
// cause must not repeat an old reason.
const (
	noteTTL   = 10 * time.Second
	maxNotes  = 10_000
	maxReason = 500
)

type note struct {
	reason string
	at     time.Time
}

// Note records why the user's sessions are about to be revoked, so that
// the revocation that follows (here or from the change feed) refuses them
// with that reason instead of a bare "signed out".
func (m *Manager) Note(userID, reason string) {
	if userID == "" || reason == "" {
		return
	}
	if len(reason) > maxReason {
		reason = truncate(reason, maxReason)
	}
	now := m.clock()
	m.noteMu.Lock()
	defer m.noteMu.Unlock()
	if m.notes == nil {
		m.notes = map[string]note{}
	}
	if len(m.notes) >= maxNotes {
		for id, n := range m.notes {
			if now.Sub(n.at) > noteTTL || len(m.notes) >= maxNotes {
				delete(m.notes, id)
			}
		}
	}
	m.notes[userID] = note{reason: reason, at: now}
}

// revokedErr is the refusal for a revoked session of userID. The note is
// consumed by the revocation in progress (forget, which calls this once
// per session under m.mu, then consumeNotes).
func (m *Manager) revokedErr(userID string, now time.Time) error {
	m.noteMu.Lock()
	n, ok := m.notes[userID]
	m.noteMu.Unlock()
	if !ok || now.Sub(n.at) > noteTTL {
		return errUnknown
	}
	return &Revoked{Reason: n.reason}
}

// consumeNotes forgets the notes of users whose sessions a revocation
// just ended.
func (m *Manager) consumeNotes(users []string) {
	if len(users) == 0 {
		return
	}
	m.noteMu.Lock()
	for _, u := range users {
		delete(m.notes, u)
	}
	m.noteMu.Unlock()
}

// applyNote handles a revoke-note change.
func (m *Manager) applyNote(c store.Change) { m.Note(c.Key, c.Reason) }
