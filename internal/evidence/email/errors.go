package email

import (
	"errors"
	"fmt"
	"time"
)

// Reason names an outcome a user can act on. The strings are stable: logs,
// metrics and the verifier's pages key on them.
type Reason string

const (
	ReasonAddressInvalid   Reason = "address-invalid"
	ReasonDomainNotAllowed Reason = "domain-not-allowed"
	ReasonCodeMalformed    Reason = "code-malformed"
	ReasonCodeInvalid      Reason = "code-invalid"
	ReasonCodeMissing      Reason = "code-missing"
	ReasonCodeExpired      Reason = "code-expired"
	ReasonCodeUsed         Reason = "code-used"
	ReasonLockedOut        Reason = "locked-out"
	ReasonRateLimited      Reason = "rate-limited"
)

// Error is every refusal of Issue and Check. Its Error text is safe to show
// to the user; it never contains the code or the stored digest.
type Error struct {
	Reason Reason
	// RetryAfter is how long until the refused action may succeed; set for
	// ReasonLockedOut and ReasonRateLimited, rounded up to whole seconds.
	RetryAfter time.Duration
	// Remaining is the number of wrong codes still allowed before lockout;
	// set for ReasonCodeInvalid.
	Remaining int
}

func (e *Error) Error() string {
	switch e.Reason {
	case ReasonAddressInvalid:
		return "That is not a valid email address."
	case ReasonDomainNotAllowed:
		return "Use your work email address: this domain is not one of the company's."
	case ReasonCodeMalformed:
		return "Enter the 6-digit code from the email."
	case ReasonCodeInvalid:
		if e.Remaining == 1 {
			return "That code is not right. 1 try left."
		}
		return fmt.Sprintf("That code is not right. %d tries left.", e.Remaining)
	case ReasonCodeMissing:
		return "No code is waiting for this address. Ask for a new code."
	case ReasonCodeExpired:
		return "That code has expired. Ask for a new code."
	case ReasonCodeUsed:
		return "That code was already used. Ask for a new code."
	case ReasonLockedOut:
		return "Too many wrong codes. Try again in " + humanDuration(e.RetryAfter) + "."
	case ReasonRateLimited:
		return "A code was sent recently. You can ask for another in " + humanDuration(e.RetryAfter) + "."
	}
	return "The email code could not be checked."
}

// ReasonOf returns the reason carried by err, or "" when err is nil or not
// an *Error (an internal failure, which callers must treat as a denial).
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func refuse(r Reason) *Error { return &Error{Reason: r} }

// roundUp rounds d up to whole seconds so that a client retrying after
// RetryAfter is never a moment too early.
func roundUp(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

func humanDuration(d time.Duration) string {
	d = roundUp(d)
	switch {
	case d < time.Minute:
		s := int(d / time.Second)
		if s == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", s)
	default:
		m := int((d + time.Minute - 1) / time.Minute)
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
}
