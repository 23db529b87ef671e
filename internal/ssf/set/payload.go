package set

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// EventPayload is a typed event object that knows its event type.
type EventPayload interface {
	EventType() string
}

// Reason is a CAEP reason_admin or reason_user: text keyed by language tag.
// A plain string (earlier drafts) reads as the undetermined language "und".
type Reason map[string]string

func (r *Reason) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Reason{"und": s}
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*r = m
	return nil
}

// Common holds the optional members every CAEP event may carry (CAEP 1.0
// section 2).
type Common struct {
	EventTimestamp   int64  `json:"event_timestamp,omitempty"` // Unix seconds
	InitiatingEntity string `json:"initiating_entity,omitempty"`
	ReasonAdmin      Reason `json:"reason_admin,omitempty"`
	ReasonUser       Reason `json:"reason_user,omitempty"`
}

// SessionRevoked is CAEP session-revoked.
type SessionRevoked struct {
	Common
}

// TokenClaimsChange is CAEP token-claims-change.
type TokenClaimsChange struct {
	Common
	Claims map[string]any `json:"claims"`
}

// CredentialChange is CAEP credential-change.
type CredentialChange struct {
	Common
	CredentialType string `json:"credential_type"` // password, pin, x509, fido2-platform, fido2-roaming, ...
	ChangeType     string `json:"change_type"`     // create, revoke, update, delete
	FriendlyName   string `json:"friendly_name,omitempty"`
	X509Issuer     string `json:"x509_issuer,omitempty"`
	X509Serial     string `json:"x509_serial,omitempty"`
	FIDO2AAGUID    string `json:"fido2_aaguid,omitempty"`
}

// AssuranceLevelChange is CAEP assurance-level-change.
type AssuranceLevelChange struct {
	Common
	Namespace       string `json:"namespace"` // RFC8176, RFC6711, ISO-IEC-29115, NIST-IAL, NIST-AAL, NIST-FAL, custom
	CurrentLevel    string `json:"current_level"`
	PreviousLevel   string `json:"previous_level,omitempty"`
	ChangeDirection string `json:"change_direction,omitempty"` // increase, decrease
}

// DeviceComplianceChange is CAEP device-compliance-change.
type DeviceComplianceChange struct {
	Common
	PreviousStatus string `json:"previous_status"` // compliant, not-compliant
	CurrentStatus  string `json:"current_status"`
}

// SessionEstablished is CAEP session-established.
type SessionEstablished struct {
	Common
	FPUA  string   `json:"fp_ua,omitempty"`
	ACR   string   `json:"acr,omitempty"`
	AMR   []string `json:"amr,omitempty"`
	ExtID string   `json:"ext_id,omitempty"`
}

// RiskLevelChange is CAEP risk-level-change.
type RiskLevelChange struct {
	Common
	Principal     string `json:"principal,omitempty"` // USER, DEVICE, SESSION, TENANT, ORG_UNIT, GROUP, ...
	CurrentLevel  string `json:"current_level"`       // LOW, MEDIUM, HIGH
	PreviousLevel string `json:"previous_level,omitempty"`
	RiskReason    string `json:"risk_reason,omitempty"`
}

// AccountDisabled is RISC account-disabled.
type AccountDisabled struct {
	Reason string `json:"reason,omitempty"` // hijacking, bulk-account
}

// AccountEnabled is RISC account-enabled.
type AccountEnabled struct{}

// AccountPurged is RISC account-purged.
type AccountPurged struct{}

// CredentialCompromise is RISC credential-compromise.
type CredentialCompromise struct {
	CredentialType string `json:"credential_type"`
	EventTimestamp int64  `json:"event_timestamp,omitempty"`
	ReasonAdmin    Reason `json:"reason_admin,omitempty"`
	ReasonUser     Reason `json:"reason_user,omitempty"`
}

// Verification is the SSF verification event.
type Verification struct {
	State string `json:"state,omitempty"`
}

// StreamUpdated is the SSF stream-updated event.
type StreamUpdated struct {
	Status string `json:"status"` // enabled, paused, disabled
	Reason string `json:"reason,omitempty"`
}

func (SessionRevoked) EventType() string         { return CAEPSessionRevoked }
func (TokenClaimsChange) EventType() string      { return CAEPTokenClaimsChange }
func (CredentialChange) EventType() string       { return CAEPCredentialChange }
func (AssuranceLevelChange) EventType() string   { return CAEPAssuranceLevelChange }
func (DeviceComplianceChange) EventType() string { return CAEPDeviceComplianceChange }
func (SessionEstablished) EventType() string     { return CAEPSessionEstablished }
func (RiskLevelChange) EventType() string        { return CAEPRiskLevelChange }
func (AccountDisabled) EventType() string        { return RISCAccountDisabled }
func (AccountEnabled) EventType() string         { return RISCAccountEnabled }
func (AccountPurged) EventType() string          { return RISCAccountPurged }
func (CredentialCompromise) EventType() string   { return RISCCredentialCompromise }
func (Verification) EventType() string           { return SSFVerification }
func (StreamUpdated) EventType() string          { return SSFStreamUpdated }

// Validate checks the members the event requires (CAEP 1.0 section 3).
func (p CredentialChange) Validate() error {
	if p.CredentialType == "" || p.ChangeType == "" {
		return errors.New("credential-change needs credential_type and change_type")
	}
	return nil
}

// Validate checks the members the event requires.
func (p AssuranceLevelChange) Validate() error {
	if p.Namespace == "" || p.CurrentLevel == "" {
		return errors.New("assurance-level-change needs namespace and current_level")
	}
	switch p.ChangeDirection {
	case "", DirectionIncrease, DirectionDecrease:
		return nil
	}
	return errors.New("assurance-level-change: change_direction must be increase or decrease")
}

// Validate checks the members the event requires.
func (p DeviceComplianceChange) Validate() error {
	for _, s := range []string{p.PreviousStatus, p.CurrentStatus} {
		if s != ComplianceCompliant && s != ComplianceNotCompliant {
			return errors.New("device-compliance-change needs previous_status and current_status of compliant or not-compliant")
		}
	}
	return nil
}

// Validate checks the members the event requires.
func (p RiskLevelChange) Validate() error {
	switch p.CurrentLevel {
	case RiskLow, RiskMedium, RiskHigh:
		return nil
	}
	return errors.New("risk-level-change needs current_level LOW, MEDIUM or HIGH")
}

// Validate checks the members the event requires.
func (p StreamUpdated) Validate() error {
	switch p.Status {
	case "enabled", "paused", "disabled":
		return nil
	}
	return errors.New("stream-updated needs status enabled, paused or disabled")
}

// Decode reads the event object of t into v, a pointer to one of the
// payload types, checking that v is for t's event type and, when v has a
// Validate method, that the required members are there. Errors are
// *Error with code invalid_request (RFC 8935: the event payload does not
// conform to the event's definition).
func Decode(t *SET, v EventPayload) error {
	if v.EventType() != t.Event {
		return &Error{Code: CodeInvalidRequest, Description: "unexpected event type",
			Err: fmt.Errorf("decoding %s as %s", truncate(t.Event), v.EventType())}
	}
	if err := json.Unmarshal(t.Payload, v); err != nil {
		return &Error{Code: CodeInvalidRequest, Description: "event payload does not match its event type", Err: err}
	}
	if c, ok := v.(interface{ Validate() error }); ok {
		if err := c.Validate(); err != nil {
			return &Error{Code: CodeInvalidRequest, Description: err.Error()}
		}
	}
	return nil
}

// Build returns a SET carrying p about sub, for a transmitter to fill in
// Issuer, ID, IssuedAt, Audience (and Txn) and sign. It refuses a payload
// that fails its own Validate.
func Build(p EventPayload, sub *Subject) (*SET, error) {
	if c, ok := p.(interface{ Validate() error }); ok {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("set: %w", err)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("set: encode %s: %w", p.EventType(), err)
	}
	return &SET{Subject: sub, Event: p.EventType(), Payload: b}, nil
}
