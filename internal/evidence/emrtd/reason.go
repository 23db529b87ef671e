package emrtd

import "fmt"

// Reasons this package adds to the ones it passes through from chip
// (sod-malformed, sod-signature-invalid, ds-not-found, dg-hash-mismatch:DGn,
// dg-missing-in-sod:DGn), trust (csca-unknown, ds-not-chained, ds-expired,
// ds-revoked, ds-key-usage) and aa (aa-signature-invalid, aa-key-malformed,
// aa-unsupported, aa-challenge-invalid). All are stable strings.
const (
	ReasonCOMMalformed     = "com-malformed"
	ReasonDG1Missing       = "dg1-missing"
	ReasonDG1Malformed     = "dg1-malformed"
	ReasonDGInvalid        = "dg-invalid" // a data group number outside 1..16 or an oversized file
	ReasonMRZMismatch      = "mrz-mismatch"
	ReasonPrintedMalformed = "mrz-printed-malformed"
	ReasonDG2Missing       = "dg2-missing" // advisory: does not block Accept
	ReasonDG2Malformed     = "dg2-malformed"
	ReasonDG15Missing      = "dg15-missing"
	ReasonAAKeyUnverified  = "aa-key-unverified"
)

// advisory reasons are reported but do not make evidence unacceptable.
var advisory = map[string]bool{ReasonDG2Missing: true}

// IsAdvisory reports whether reason is informational: it appears in
// Report.Reasons but neither fails passive authentication nor Accept.
func IsAdvisory(reason string) bool { return advisory[reason] }

// Error is a parse failure of an LDS file with its machine-readable Reason.
// Detail names tags, lengths and MRZ field names, never MRZ values.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "emrtd: " + e.Reason + ": " + e.Detail }

func errorf(reason, format string, a ...any) *Error {
	return &Error{Reason: reason, Detail: fmt.Sprintf(format, a...)}
}
