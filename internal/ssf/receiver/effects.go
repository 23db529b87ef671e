package receiver

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/vigil-gw/vigil/internal/ssf/set"
)

// Effect actions.
const (
	ActionRevokeSessions = "revoke-sessions" // all of Subject's sessions, or only Session when set
	ActionRisk           = "risk"            // add a risk factor of Kind and Severity
	ActionClearRisk      = "clear-risk"      // clear the user's factors of Kind (whichever transmitter raised them)
	ActionNone           = "none"            // recorded only
)

// Risk factor kinds that received events produce.
const (
	KindCredentialChange     = "ssf-credential-change"
	KindAssuranceDecrease    = "ssf-assurance-decrease"
	KindRiskLevel            = "ssf-risk-level"
	KindDeviceNonCompliant   = "ssf-device-noncompliant"
	KindAccountDisabled      = "ssf-account-disabled"
	KindAccountPurged        = "ssf-account-purged"
	KindCredentialCompromise = "ssf-credential-compromise"
)

// Severity rules: the keys of a severity table.
const (
	RuleCredentialChange     = "credential-change"
	RuleAssuranceDecrease    = "assurance-decrease"
	RuleRiskHigh             = "risk-high"
	RuleRiskMedium           = "risk-medium"
	RuleDeviceNonCompliant   = "device-noncompliant"
	RuleAccountDisabled      = "account-disabled"
	RuleAccountPurged        = "account-purged"
	RuleCredentialCompromise = "credential-compromise"
)

// DefaultSeverities returns the default factor points per rule, a fresh
// map that configuration may change.
func DefaultSeverities() map[string]int {
	return map[string]int{
		RuleCredentialChange:     30,
		RuleAssuranceDecrease:    40,
		RuleRiskHigh:             80,
		RuleRiskMedium:           45,
		RuleDeviceNonCompliant:   50,
		RuleAccountDisabled:      100,
		RuleAccountPurged:        100,
		RuleCredentialCompromise: 70,
	}
}

// Effect is what Vigil does about one received event.
type Effect struct {
	Action   string
	Subject  set.Subject // the user: the complex subject's user member, or the simple subject; zero only for a revoke-sessions of a session named without its user
	Session  string      // the provider's session ID (complex session member, opaque) when named
	Kind     string      // factor kind for risk and clear-risk
	Severity int         // factor points for risk
	Reason   string      // one readable sentence
}

// Mapper turns SETs into Effects with a severity table. Rules missing from
// Severities take their default.
type Mapper struct {
	Severities map[string]int
}

// Map maps t with the default severities. See Mapper.Map.
func Map(t *set.SET, from string) ([]Effect, error) { return Mapper{}.Map(t, from) }

func (m Mapper) severity(rule string) int {
	if n, ok := m.Severities[rule]; ok {
		return n
	}
	return DefaultSeverities()[rule]
}

// Map returns the effects of t, sent by the transmitter named from. It is
// pure. Unknown event types and events Vigil does not act on give one
// ActionNone effect (SSF: a receiver accepts events it does not use). An
// error is a *set.Error (invalid_request): the event does not conform to
// its definition or names no subject that can be acted on.
func (m Mapper) Map(t *set.SET, from string) ([]Effect, error) {
	user, session, err := target(t)
	if err == errNoUser && session != "" && t.Event == set.CAEPSessionRevoked {
		// A session named without its user: end that session alone.
		var p set.SessionRevoked
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		return []Effect{{Action: ActionRevokeSessions, Session: session, Reason: from + " revoked the session"}}, nil
	}
	if err == errNoUser {
		// A valid event about a device or tenant alone: Vigil keys risk
		// and sessions by user, so there is nothing to act on.
		return []Effect{{Action: ActionNone, Reason: from + " sent an event that names no user"}}, nil
	}
	if err != nil {
		return nil, err
	}
	one := func(e Effect) []Effect {
		e.Subject, e.Session = user, session
		return []Effect{e}
	}
	none := func(why string) []Effect { return []Effect{{Action: ActionNone, Subject: user, Reason: why}} }

	switch t.Event {
	case set.CAEPSessionRevoked:
		var p set.SessionRevoked
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		if session != "" {
			return one(Effect{Action: ActionRevokeSessions, Reason: from + " revoked the session"}), nil
		}
		return one(Effect{Action: ActionRevokeSessions, Reason: from + " revoked the user's sessions"}), nil
	case set.CAEPCredentialChange:
		var p set.CredentialChange
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		return one(Effect{Action: ActionRisk, Kind: KindCredentialChange, Severity: m.severity(RuleCredentialChange),
			Reason: fmt.Sprintf("%s reported a credential change (%s %s)", from, clean(p.CredentialType), clean(p.ChangeType))}), nil
	case set.CAEPAssuranceLevelChange:
		var p set.AssuranceLevelChange
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		if p.ChangeDirection != set.DirectionDecrease {
			return none(from + " reported an assurance level change that is not a decrease"), nil
		}
		return one(Effect{Action: ActionRisk, Kind: KindAssuranceDecrease, Severity: m.severity(RuleAssuranceDecrease),
			Reason: fmt.Sprintf("%s reported the assurance level fell to %s (%s)", from, clean(p.CurrentLevel), clean(p.Namespace))}), nil
	case set.CAEPRiskLevelChange:
		return m.riskLevel(t, from, one)
	case set.CAEPDeviceComplianceChange:
		var p set.DeviceComplianceChange
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		if p.CurrentStatus == set.ComplianceCompliant {
			return one(Effect{Action: ActionClearRisk, Kind: KindDeviceNonCompliant, Reason: from + " reported the user's device compliant again"}), nil
		}
		return one(Effect{Action: ActionRisk, Kind: KindDeviceNonCompliant, Severity: m.severity(RuleDeviceNonCompliant),
			Reason: from + " reported the user's device not compliant"}), nil
	case set.RISCAccountDisabled:
		return m.revokeAndRisk(user, KindAccountDisabled, m.severity(RuleAccountDisabled), from+" disabled the account"), nil
	case set.RISCAccountEnabled:
		// The account is back: what its disabling raised no longer holds.
		return one(Effect{Action: ActionClearRisk, Kind: KindAccountDisabled, Reason: from + " enabled the account again"}), nil
	case set.RISCAccountPurged:
		return m.revokeAndRisk(user, KindAccountPurged, m.severity(RuleAccountPurged), from+" deleted the account"), nil
	case set.RISCCredentialCompromise:
		var p set.CredentialCompromise
		if err := set.Decode(t, &p); err != nil {
			return nil, err
		}
		return m.revokeAndRisk(user, KindCredentialCompromise, m.severity(RuleCredentialCompromise),
			from+" reported the account's credentials compromised"), nil
	case set.SSFVerification:
		return []Effect{{Action: ActionNone, Reason: from + " sent a stream verification"}}, nil
	}
	return none(from + " sent an event Vigil does not act on"), nil
}

func (m Mapper) riskLevel(t *set.SET, from string, one func(Effect) []Effect) ([]Effect, error) {
	var p set.RiskLevelChange
	if err := set.Decode(t, &p); err != nil {
		return nil, err
	}
	why := ""
	if r := clean(p.RiskReason); r != "" {
		why = " (" + r + ")"
	}
	switch p.CurrentLevel {
	case set.RiskHigh:
		return one(Effect{Action: ActionRisk, Kind: KindRiskLevel, Severity: m.severity(RuleRiskHigh),
			Reason: from + " rated the user's risk high" + why}), nil
	case set.RiskMedium:
		return one(Effect{Action: ActionRisk, Kind: KindRiskLevel, Severity: m.severity(RuleRiskMedium),
			Reason: from + " rated the user's risk medium" + why}), nil
	}
	return one(Effect{Action: ActionClearRisk, Kind: KindRiskLevel, Reason: from + " rated the user's risk low"}), nil
}

func (m Mapper) revokeAndRisk(user set.Subject, kind string, severity int, reason string) []Effect {
	return []Effect{
		{Action: ActionRevokeSessions, Subject: user, Reason: reason},
		{Action: ActionRisk, Subject: user, Kind: kind, Severity: severity, Reason: reason},
	}
}

var errNoUser = errors.New("subject names no user")

// target returns the user an event is about and the provider's session ID
// when the subject names one. Stream events (verification, stream-updated)
// are about the stream, not a user.
func target(t *set.SET) (set.Subject, string, error) {
	if t.Event == set.SSFVerification || t.Event == set.SSFStreamUpdated {
		return set.Subject{}, "", nil
	}
	if t.Subject == nil {
		if !known(t.Event) {
			return set.Subject{}, "", nil // nothing to do with it either way
		}
		return set.Subject{}, "", &set.Error{Code: set.CodeInvalidRequest, Description: "event has no subject"}
	}
	s := *t.Subject
	if s.Format != set.FormatComplex {
		return s, "", nil
	}
	var session string
	if s.Session != nil && s.Session.Format == set.FormatOpaque {
		session = s.Session.ID
	}
	if s.User == nil {
		return set.Subject{}, session, errNoUser
	}
	return *s.User, session, nil
}

func known(event string) bool {
	switch event {
	case set.CAEPSessionRevoked, set.CAEPCredentialChange, set.CAEPAssuranceLevelChange, set.CAEPRiskLevelChange,
		set.CAEPDeviceComplianceChange, set.RISCAccountDisabled, set.RISCAccountEnabled, set.RISCAccountPurged, set.RISCCredentialCompromise:
		return true
	}
	return false
}

// clean makes outside text safe for a one-line reason: printable, short.
func clean(s string) string {
	const max = 80
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "..."
	}
	return s
}
