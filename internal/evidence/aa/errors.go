package aa

import "fmt"

// Reasons, stable strings for audit records and policy.
const (
	ReasonSignatureInvalid = "aa-signature-invalid"
	ReasonKeyMalformed     = "aa-key-malformed"     // DG15 or DG14 cannot be parsed
	ReasonUnsupported      = "aa-unsupported"       // key type or hash we cannot verify
	ReasonChallengeInvalid = "aa-challenge-invalid" // challenge not exactly 8 bytes
)

// Error is a failed check with its machine-readable Reason and a detail for
// logs. Details name lengths, algorithms and key types, never key or
// signature bytes.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "aa: " + e.Reason + ": " + e.Detail }

func fail(reason, format string, a ...any) *Error {
	return &Error{Reason: reason, Detail: fmt.Sprintf(format, a...)}
}
