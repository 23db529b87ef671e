// Package email is the one-time code core of the "work email" evidence step:
// it proves that a user reads mail sent to an address by issuing a 6-digit
// code and checking it, under expiry, attempt, lockout, replay and sending
// rate rules.
//
// It is pure: time, randomness and storage are injected, and it does no I/O
// of its own (the caller mails the code). It must never store or log a code
// in clear (only an HMAC bound to the verification and the address is kept),
// never compare secrets in variable time, and never tell a caller whether an
// address exists: every outcome is a [*Error] whose reason concerns only the
// caller's own verification.
package email
