package trust

import "fmt"

// Reasons, stable strings for audit records and policy.
const (
	// ReasonCSCAUnknown: no trusted CSCA has the DS's issuer name or key id.
	ReasonCSCAUnknown = "csca-unknown"
	// ReasonDSNotChained: candidate CSCAs exist but none verifies the DS
	// signature while valid at the DS's issuance.
	ReasonDSNotChained = "ds-not-chained"
	// ReasonDSExpired: the DS chains but is not valid at the asked time.
	ReasonDSExpired = "ds-expired"
	// ReasonMasterListRejected: a master list failed parsing or verification.
	ReasonMasterListRejected = "masterlist-rejected"
)

// Error is a failed check with its machine-readable Reason and a detail for
// logs (certificate names and serials only; no personal data).
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "trust: " + e.Reason + ": " + e.Detail }

func rejected(format string, a ...any) *Error {
	return &Error{Reason: ReasonMasterListRejected, Detail: fmt.Sprintf(format, a...)}
}
