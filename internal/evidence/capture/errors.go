package capture

import "errors"

// Reason names why enrolment or a burst was refused. The strings are
// stable: the verifier stores them with the evidence and policy keys on them.
type Reason string

const (
	// ReasonUnsigned: no assertion came with the burst, or there is no bound
	// credential to check one against.
	ReasonUnsigned Reason = "capture-unsigned"
	// ReasonWrongCredential: the assertion was made with a credential other
	// than the one enrolled for this verification.
	ReasonWrongCredential Reason = "capture-wrong-credential"
	// ReasonHashMismatch: the signed challenge does not commit to the frames
	// received with this nonce (frames changed, reordered, added or dropped
	// after signing, or another nonce).
	ReasonHashMismatch Reason = "capture-hash-mismatch"
	// ReasonSignatureInvalid: the signature does not verify with the bound key.
	ReasonSignatureInvalid Reason = "capture-signature-invalid"
	// ReasonOrigin: the ceremony ran on another origin or for another RP ID,
	// or inside a cross-origin frame.
	ReasonOrigin Reason = "capture-origin"
	// ReasonReplay: the signature counter did not increase (a cloned
	// authenticator, or an old assertion replayed).
	ReasonReplay Reason = "capture-replay"
	// ReasonPresence: the authenticator did not assert user presence (UP).
	ReasonPresence Reason = "capture-presence"
	// ReasonMalformed: the input cannot be parsed or is outside the limits.
	ReasonMalformed Reason = "capture-malformed"

	// Enrolment only.

	// ReasonChallenge: the enrolment response answers another challenge.
	ReasonChallenge Reason = "capture-challenge"
	// ReasonNotPlatform: the credential is not on a platform authenticator.
	ReasonNotPlatform Reason = "capture-not-platform"
	// ReasonAttestation: the attestation statement does not verify, its
	// format is not supported, or the key algorithm was not offered.
	ReasonAttestation Reason = "capture-attestation"
)

// Error is every refusal of this package. Its text is the reason and a
// short fixed description: never frame bytes, keys or identifiers.
type Error struct {
	Reason Reason
	// Detail is a fixed phrase saying which check failed.
	Detail string
	// cause is the underlying library error, for errors.Is/As and for
	// operators' logs; it carries no personal data (WebAuthn structures
	// hold only random identifiers and origins).
	cause error
}

func (e *Error) Error() string { return string(e.Reason) + ": " + e.Detail }

func (e *Error) Unwrap() error { return e.cause }

// ReasonOf returns the reason carried by err, or "" when err is nil or not
// an *Error (an internal failure, which callers must treat as a refusal).
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func refuse(r Reason, detail string) *Error { return &Error{Reason: r, Detail: detail} }

func refuseWith(r Reason, detail string, cause error) *Error {
	return &Error{Reason: r, Detail: detail, cause: cause}
}
