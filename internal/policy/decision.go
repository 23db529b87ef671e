package policy

import (
	"strconv"
	"strings"
)

// Action is what a rule, or a whole decision, does with a request. The zero
// value denies so that a forgotten assignment fails closed.
type Action uint8

const (
	// Deny refuses the request.
	Deny Action = iota
	// Allow lets a signed-in user through; the gateway forwards the identity.
	Allow
	// Bypass lets anyone through without authentication; the gateway must
	// not forward an identity, even when the request carries a session.
	Bypass
)

// String returns the configuration spelling: deny, allow or bypass.
func (a Action) String() string {
	switch a {
	case Deny:
		return "deny"
	case Allow:
		return "allow"
	case Bypass:
		return "bypass"
	}
	return "action(" + strconv.Itoa(int(a)) + ")"
}

// Reason codes. Codes with a colon carry a rule name (allowed-by:<rule>) or
// a selector name (require-failed:<selector>) after it.
const (
	ReasonUnauthenticated = "unauthenticated"
	ReasonNoRuleMatched   = "no-rule-matched"
	ReasonNoInclude       = "no-include-matched"
	ReasonCELError        = "cel-error"
	ReasonNoClientIP      = "no-client-ip"
	prefixAllowedBy       = "allowed-by:"
	prefixDeniedBy        = "denied-by:"
	prefixBypass          = "bypass:"
	prefixRequireFailed   = "require-failed:"
	prefixExcludedBy      = "excluded-by:"
)

// Reason explains one step of a decision. All fields are built at Compile
// time, except Detail of a cel-error, so reasons cost no allocation.
type Reason struct {
	// Code is machine-readable, e.g. "allowed-by:admins", "require-failed:group".
	Code string
	// Rule names the rule the reason is about; empty for decision-wide reasons.
	Rule string
	// Detail locates the selector (e.g. "require[1]") or, for cel-error,
	// gives the evaluation error.
	Detail string
}

// String renders the reason on one line.
func (r Reason) String() string {
	var b strings.Builder
	b.WriteString(r.Code)
	if r.Rule != "" {
		b.WriteString(" (rule ")
		b.WriteString(strconv.Quote(r.Rule))
		if r.Detail != "" {
			b.WriteString(", ")
			b.WriteString(r.Detail)
		}
		b.WriteString(")")
	} else if r.Detail != "" {
		b.WriteString(" (")
		b.WriteString(r.Detail)
		b.WriteString(")")
	}
	return b.String()
}

// maxReasons bounds the reasons a decision keeps, so that a Decision is a
// plain value Evaluate can return without allocating. Reasons past the bound
// are counted in Dropped.
const maxReasons = 16

// Decision is the outcome of Evaluate.
type Decision struct {
	// Action is Allow, Bypass or Deny.
	Action Action
	// Rule is the name of the deciding rule, or "" for a default deny or an
	// unauthenticated request.
	Rule string
	// Dropped counts reasons that did not fit (more than maxReasons).
	Dropped int

	reasons [maxReasons]Reason
	n       uint8
	// step is the verification the first fixable allow rule asks for.
	step *stepUp
}

// Allowed reports whether the request may pass. For Bypass it is true too,
// and the caller must then not forward an identity.
func (d Decision) Allowed() bool { return d.Action == Allow || d.Action == Bypass }

// Unauthenticated reports whether the decision is a deny that signing in
// could change: the gateway should send the user to log in.
func (d *Decision) Unauthenticated() bool {
	return d.Action == Deny && d.n > 0 && d.reasons[0].Code == ReasonUnauthenticated
}

// Reasons returns the decision's reasons, decisive one first. The slice
// aliases d: copy it to keep it beyond d's lifetime.
func (d *Decision) Reasons() []Reason { return d.reasons[:d.n] }

// add appends r, counting it as dropped when the array is full.
func (d *Decision) add(r *Reason) {
	if int(d.n) == maxReasons {
		d.Dropped++
		return
	}
	d.reasons[d.n] = *r
	d.n++
}

// Explain describes the decision on several lines for the CLI and audit.
func (d Decision) Explain() string {
	var b strings.Builder
	b.WriteString(d.Action.String())
	switch {
	case d.Rule != "":
		b.WriteString(" by rule ")
		b.WriteString(strconv.Quote(d.Rule))
	case d.Unauthenticated():
		b.WriteString(": not signed in")
	case d.Action == Deny:
		b.WriteString(": default deny")
	}
	b.WriteByte('\n')
	for _, r := range d.Reasons() {
		b.WriteString("  - ")
		b.WriteString(r.String())
		b.WriteByte('\n')
	}
	if d.Dropped > 0 {
		b.WriteString("  - ... ")
		b.WriteString(strconv.Itoa(d.Dropped))
		b.WriteString(" more\n")
	}
	return b.String()
}
