package email

import (
	"context"
	"slices"
	"sync"
)

// Memory is a Store held in process memory, safe for concurrent use. One
// mutex serialises updates: each is a few map operations and no I/O.
// Records are deep-copied in and out so fn never aliases stored slices.
type Memory struct {
	mu         sync.Mutex
	challenges map[string]Challenge
	mailboxes  map[string]Mailbox
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory {
	return &Memory{challenges: map[string]Challenge{}, mailboxes: map[string]Mailbox{}}
}

// Update implements Store.
func (m *Memory) Update(ctx context.Context, verificationID, mailboxKey string, fn func(*Challenge, *Mailbox) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.challenges[verificationID]
	c.Digest = slices.Clone(c.Digest)
	c.Sends = slices.Clone(c.Sends)
	b := m.mailboxes[mailboxKey]
	b.Sends = slices.Clone(b.Sends)

	err := fn(&c, &b)

	if c.IsZero() {
		delete(m.challenges, verificationID)
	} else {
		m.challenges[verificationID] = c
	}
	if b.IsZero() {
		delete(m.mailboxes, mailboxKey)
	} else {
		m.mailboxes[mailboxKey] = b
	}
	return err
}

// Len returns how many challenge and mailbox records are held, for tests
// and metrics.
func (m *Memory) Len() (challenges, mailboxes int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.challenges), len(m.mailboxes)
}
