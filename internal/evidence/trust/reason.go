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
	// ReasonDSKeyUsage: the DS has a keyUsage extension without
	// digitalSignature, so it may not sign an SOD.
	ReasonDSKeyUsage = "ds-key-usage"
	// ReasonDSRevoked: the DS chains but its serial is on a verified CRL
	// of the CSCA that chains it.
	ReasonDSRevoked = "ds-revoked"
	// ReasonMasterListRejected: a master list failed parsing or verification.
	ReasonMasterListRejected = "masterlist-rejected"
	// ReasonCRLRejected: a CRL failed parsing or no trusted CSCA signed it.
	ReasonCRLRejected = "crl-rejected"
	// ReasonFileRejected: a file given to LoadFiles is unreadable or is not
	// a certificate, master list or CRL.
	ReasonFileRejected = "trust-file-rejected"
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
