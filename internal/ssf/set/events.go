package set

// Event type URIs. CAEP 1.0, RISC 1.0 and SSF 1.0 name them; a SET carries
// exactly one.
const (
	caepPrefix = "https://schemas.openid.net/secevent/caep/event-type/"
	riscPrefix = "https://schemas.openid.net/secevent/risc/event-type/"
	ssfPrefix  = "https://schemas.openid.net/secevent/ssf/event-type/"

	CAEPSessionRevoked         = caepPrefix + "session-revoked"
	CAEPTokenClaimsChange      = caepPrefix + "token-claims-change"
	CAEPCredentialChange       = caepPrefix + "credential-change"
	CAEPAssuranceLevelChange   = caepPrefix + "assurance-level-change"
	CAEPDeviceComplianceChange = caepPrefix + "device-compliance-change"
	CAEPSessionEstablished     = caepPrefix + "session-established"
	CAEPSessionPresented       = caepPrefix + "session-presented"
	CAEPRiskLevelChange        = caepPrefix + "risk-level-change"

	RISCAccountDisabled      = riscPrefix + "account-disabled"
	RISCAccountEnabled       = riscPrefix + "account-enabled"
	RISCAccountPurged        = riscPrefix + "account-purged"
	RISCCredentialCompromise = riscPrefix + "credential-compromise"
	RISCIdentifierChanged    = riscPrefix + "identifier-changed"

	SSFVerification  = ssfPrefix + "verification"
	SSFStreamUpdated = ssfPrefix + "stream-updated"
)

// Values of CAEP fields that receivers act on.
const (
	DirectionIncrease = "increase"
	DirectionDecrease = "decrease"

	RiskLow    = "LOW"
	RiskMedium = "MEDIUM"
	RiskHigh   = "HIGH"

	ComplianceCompliant    = "compliant"
	ComplianceNotCompliant = "not-compliant"

	// Initiating entities (CAEP 1.0 section 2).
	InitiatorAdmin  = "admin"
	InitiatorUser   = "user"
	InitiatorPolicy = "policy"
	InitiatorSystem = "system"
)
