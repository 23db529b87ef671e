package email

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"
)

// Codes issues and checks one-time codes. It is safe for concurrent use
// when its Store is.
type Codes struct {
	cfg   Config
	store Store
	now   func() time.Time
	rand  io.Reader
}

// New returns Codes with the given rules, store, clock and randomness
// (crypto/rand.Reader in production). None may be nil.
func New(cfg Config, store Store, now func() time.Time, random io.Reader) (*Codes, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if store == nil || now == nil || random == nil {
		return nil, errors.New("email: store, clock and random source are required")
	}
	return &Codes{cfg: cfg, store: store, now: now, rand: random}, nil
}

// Issue makes a new code for verificationID and address, replacing any
// earlier one, and returns it with its expiry: the caller mails it and must
// not keep or log it. The send is counted against the limits even if the
// caller then fails to deliver it, so a failing mailer cannot be used to
// bypass them. Refusals are *Error: address-invalid, domain-not-allowed,
// locked-out or rate-limited.
func (c *Codes) Issue(ctx context.Context, verificationID, address string) (code string, expires time.Time, err error) {
	addr, err := c.admit(address)
	if err != nil {
		return "", time.Time{}, err
	}
	err = c.store.Update(ctx, verificationID, limitKey(addr), func(ch *Challenge, mb *Mailbox) error {
		now := c.now()
		c.prune(ch, mb, now)
		if now.Before(mb.LockedUntil) {
			return &Error{Reason: ReasonLockedOut, RetryAfter: roundUp(mb.LockedUntil.Sub(now))}
		}
		if wait := max(c.retryAfter(ch.Sends, now), c.retryAfter(mb.Sends, now)); wait > 0 {
			return &Error{Reason: ReasonRateLimited, RetryAfter: roundUp(wait)}
		}
		var genErr error
		if code, genErr = newCode(c.rand); genErr != nil {
			return genErr
		}
		expires = now.Add(c.cfg.TTL)
		sends := append(ch.Sends, now)
		*ch = Challenge{Address: addr, Digest: digest(c.cfg.Key, verificationID, addr, code), ExpiresAt: expires, Sends: sends}
		mb.Sends = append(mb.Sends, now)
		return nil
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}

// Check accepts the code typed for verificationID and address once. nil
// means the user controls the address. Refusals are *Error: code-malformed,
// address-invalid, domain-not-allowed, code-missing, code-used,
// code-expired, code-invalid (with tries left) or locked-out; MaxAttempts
// wrong codes kill the code and lock the mailbox for the lockout period.
func (c *Codes) Check(ctx context.Context, verificationID, address, code string) error {
	code, err := ParseCode(code)
	if err != nil {
		return err
	}
	addr, err := c.admit(address)
	if err != nil {
		return err
	}
	return c.store.Update(ctx, verificationID, limitKey(addr), func(ch *Challenge, mb *Mailbox) error {
		now := c.now()
		c.prune(ch, mb, now)
		if now.Before(mb.LockedUntil) {
			return &Error{Reason: ReasonLockedOut, RetryAfter: roundUp(mb.LockedUntil.Sub(now))}
		}
		switch {
		case ch.Digest == nil || ch.Address != addr:
			return refuse(ReasonCodeMissing)
		case ch.Used:
			return refuse(ReasonCodeUsed)
		case !now.Before(ch.ExpiresAt):
			return refuse(ReasonCodeExpired)
		}
		if digestEqual(ch.Digest, digest(c.cfg.Key, verificationID, addr, code)) {
			ch.Used = true
			return nil
		}
		ch.Failures++
		if left := c.cfg.MaxAttempts - ch.Failures; left > 0 {
			return &Error{Reason: ReasonCodeInvalid, Remaining: left}
		}
		// The code is dead; the lockout stops fresh codes for the mailbox too.
		ch.Digest, ch.Failures = nil, 0
		mb.LockedUntil = now.Add(c.cfg.Lockout)
		return &Error{Reason: ReasonLockedOut, RetryAfter: roundUp(c.cfg.Lockout)}
	})
}

// admit normalises address and applies the domain allow-list.
func (c *Codes) admit(address string) (string, error) {
	addr, err := NormalizeAddress(address)
	if err != nil {
		return "", err
	}
	if len(c.cfg.AllowedDomains) > 0 && !slices.Contains(c.cfg.AllowedDomains, domainOf(addr)) {
		return "", refuse(ReasonDomainNotAllowed)
	}
	return addr, nil
}

// retryAfter returns how long until one more send fits every limit given
// the earlier sends; 0 when it fits now. Sends stamped after now (another
// replica's clock running ahead) count as inside every window.
func (c *Codes) retryAfter(sends []time.Time, now time.Time) time.Duration {
	var wait time.Duration
	in := make([]time.Time, 0, len(sends))
	for _, l := range c.cfg.SendLimits {
		start := now.Add(-l.Per)
		in = in[:0]
		for _, t := range sends {
			if t.After(start) { // a send exactly Per ago has left the window
				in = append(in, t)
			}
		}
		if len(in) >= l.Max {
			slices.SortFunc(in, time.Time.Compare)
			// The send that must leave the window for one more to fit.
			wait = max(wait, in[len(in)-l.Max].Add(l.Per).Sub(now))
		}
	}
	return wait
}

// prune forgets what can no longer matter at now: sends older than every
// window, a lapsed lockout, and an expired or used code, so that the Store
// can drop records that become empty.
func (c *Codes) prune(ch *Challenge, mb *Mailbox, now time.Time) {
	cut := now.Add(-c.cfg.window())
	old := func(t time.Time) bool { return !t.After(cut) }
	ch.Sends = slices.DeleteFunc(ch.Sends, old)
	mb.Sends = slices.DeleteFunc(mb.Sends, old)
	if !now.Before(mb.LockedUntil) {
		mb.LockedUntil = time.Time{}
	}
	// An expired or used code is kept for one TTL more so that the user is
	// told code-expired or code-used rather than code-missing.
	if ch.Digest != nil && !now.Before(ch.ExpiresAt.Add(c.cfg.TTL)) {
		*ch = Challenge{Sends: ch.Sends}
	}
	if ch.Digest == nil {
		ch.Address, ch.ExpiresAt, ch.Failures, ch.Used = "", time.Time{}, 0, false
	}
}
