package chip

import "fmt"

// Reasons, stable strings for audit records and policy.
const (
	ReasonMalformed        = "sod-malformed"
	ReasonSignatureInvalid = "sod-signature-invalid"
	ReasonDSNotFound       = "ds-not-found"
	reasonHashMismatch     = "dg-hash-mismatch"
	reasonMissingInSOD     = "dg-missing-in-sod"
)

// Error is a failed check with its machine-readable Reason and a detail for
// logs. The detail never holds personal data: SODs carry hashes only.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "chip: " + e.Reason + ": " + e.Detail }

func malformed(format string, a ...any) *Error {
	return &Error{Reason: ReasonMalformed, Detail: fmt.Sprintf(format, a...)}
}

// Result is the outcome for one data group. Reason is empty when OK.
type Result struct {
	DataGroup int
	OK        bool
	Reason    string // "dg-hash-mismatch:DG<n>" or "dg-missing-in-sod:DG<n>"
}
