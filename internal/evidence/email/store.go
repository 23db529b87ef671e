package email

import (
	"context"
	"time"
)

// Store keeps the state of codes and limits. The verifier implements it on
// its database; [Memory] is the in-process implementation.
type Store interface {
	// Update loads the Challenge of verificationID and the Mailbox of
	// mailboxKey (zero values when absent), calls fn with them, then saves
	// them as fn left them, even when fn returns an error (a wrong code must
	// still be counted), and returns fn's error. The whole call must be
	// atomic with respect to every other Update touching either record:
	// concurrent checks of one code must see each other's writes.
	// A record that fn leaves equal to its zero value (IsZero) may be deleted.
	Update(ctx context.Context, verificationID, mailboxKey string, fn func(*Challenge, *Mailbox) error) error
}

// Challenge is the state of one verification's email step: the code it
// last issued and its sending history. Stores persist every field.
type Challenge struct {
	Address   string    // normalised address the current code was sent to
	Digest    []byte    // HMAC of the current code; nil when no code is live
	ExpiresAt time.Time // end of the current code's life
	Failures  int       // wrong codes entered against the current code
	Used      bool      // the current code was accepted once
	Sends     []time.Time
}

// IsZero reports whether c holds nothing worth keeping.
func (c *Challenge) IsZero() bool {
	return c.Address == "" && c.Digest == nil && c.ExpiresAt.IsZero() &&
		c.Failures == 0 && !c.Used && len(c.Sends) == 0
}

// Mailbox is the state shared by every verification that targets one
// mailbox (see limitKey): its sending history and lockout.
type Mailbox struct {
	Sends       []time.Time
	LockedUntil time.Time
}

// IsZero reports whether m holds nothing worth keeping.
func (m *Mailbox) IsZero() bool { return len(m.Sends) == 0 && m.LockedUntil.IsZero() }
