package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-gw/vigil/internal/config"
)

// tri is a three-valued match result. unknown means the selector could not
// be evaluated: it needs an identity the request lacks, or it failed.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

// matcher is one compiled selector. match is called only with a non-nil
// identity when the selector needs one. It returns a reason only for an
// evaluation error (cel-error). Input is passed by value so that the
// caller's Input does not escape to the heap through the interface call.
type matcher interface {
	match(in Input) (tri, *Reason)
}

// selector is a matcher plus what Compile knows about it.
type selector struct {
	m        matcher
	kind     string // everyone, email, ... as written in the configuration
	identity bool   // needs a signed-in user to be evaluated
	stepUp   bool   // a verification at the app's verifier could make it match
	failed   Reason // require-failed:<kind>, for a require that did not match
	excluded Reason // excluded-by:<kind>, for an exclude that matched
}

// match evaluates s, adding an evaluation error's reason to d.
func (s *selector) match(in *Input, d *Decision) tri {
	if s.identity && in.Identity == nil {
		return unknown
	}
	v, r := s.m.match(*in)
	if r != nil {
		d.add(r)
	}
	return v
}

// selectorSpec tells Compile where a selector sits, for errors and reasons.
type selectorSpec struct {
	path   string // full path, for errors
	detail string // path inside the rule, e.g. "require[1]", for reasons
	rule   string // rule name
	bypass bool   // the rule bypasses authentication
}

// compileSelector checks that exactly one field of s is set and compiles it.
func compileSelector(s *config.Selector, at selectorSpec, cel *celCompiler) (selector, []error) {
	kinds := setKinds(s)
	switch len(kinds) {
	case 0:
		return selector{}, []error{fmt.Errorf("%s: no selector set: set one of everyone, email, email_domain, provider, group, claim, amr, acr, verified, verified_within, risk, ip or cel", at.path)}
	case 1:
	default:
		return selector{}, []error{fmt.Errorf("%s: several selectors set (%s): set exactly one per list entry", at.path, strings.Join(kinds, ", "))}
	}
	kind := kinds[0]
	sel := selector{
		kind:     kind,
		identity: true,
		failed:   Reason{Code: prefixRequireFailed + kind, Rule: at.rule, Detail: at.detail},
		excluded: Reason{Code: prefixExcludedBy + kind, Rule: at.rule, Detail: at.detail},
	}
	var errs []error
	switch kind {
	case "everyone":
		// With bypass, "everyone" means anyone, signed in or not.
		sel.m, sel.identity = everyone{}, !at.bypass
	case "email":
		sel.m, errs = compileEmail(s.Email, at.path+".email")
	case "email_domain":
		sel.m, errs = compileEmailDomain(s.EmailDomain, at.path+".email_domain")
	case "provider":
		sel.m, errs = compileProvider(s.Provider, at.path+".provider")
	case "group":
		sel.m, errs = compileGroup(s.Group, at.path+".group")
	case "claim":
		sel.m, errs = compileClaim(s.Claim, at.path+".claim")
	case "amr":
		sel.m, errs = compileAMR(s.AMR, at.path+".amr")
	case "ip":
		sel.m, errs = compileIP(s.IP, at.path+".ip")
		sel.identity = false
	case "verified":
		sel.m, errs = compileVerified(s.Verified, at.path+".verified")
	case "verified_within":
		sel.m, errs = compileVerifiedWithin(s.VerifiedWithin.D(), at.path+".verified_within")
	case "acr":
		sel.m, errs = compileACR(s.ACR, at.path+".acr")
	case "risk":
		sel.m, errs = compileRisk(s.Risk, at.path+".risk")
	case "cel":
		var m *celMatcher
		m, errs = cel.compile(s.CEL, at)
		sel.m = m
		if m != nil {
			sel.identity = m.usesUser
		}
	}
	sel.stepUp = kind == "verified" || kind == "verified_within" || kind == "acr"
	if at.bypass && sel.identity && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s.%s: a bypass rule lets requests through without sign-in, so it can use only everyone, ip and cel on request", at.path, kind))
	}
	return sel, errs
}

// setKinds lists the fields of s that are set. An explicitly empty list
// counts as set, so that it is reported as empty rather than missing.
func setKinds(s *config.Selector) []string {
	var k []string
	if s.Everyone {
		k = append(k, "everyone")
	}
	lists := []struct {
		name string
		v    config.StringList
	}{
		{"email", s.Email}, {"email_domain", s.EmailDomain}, {"provider", s.Provider},
		{"group", s.Group}, {"amr", s.AMR}, {"acr", s.ACR}, {"ip", s.IP},
	}
	for _, l := range lists {
		if l.v != nil {
			k = append(k, l.name)
		}
	}
	if s.Claim != nil {
		k = append(k, "claim")
	}
	if s.Verified != "" {
		k = append(k, "verified")
	}
	if s.VerifiedWithin != 0 {
		k = append(k, "verified_within")
	}
	if s.Risk != "" {
		k = append(k, "risk")
	}
	if s.CEL != "" {
		k = append(k, "cel")
	}
	return k
}

// everyone matches any signed-in user, or anyone in a bypass rule.
type everyone struct{}

func (everyone) match(Input) (tri, *Reason) { return yes, nil }

var _ matcher = everyone{}

// errEmptyList is wrapped by every "empty list" error.
var errEmptyList = errors.New("empty list: give at least one value")

// checkList reports an empty list and empty entries.
func checkList(l []string, path string) []error {
	if len(l) == 0 {
		return []error{fmt.Errorf("%s: %w", path, errEmptyList)}
	}
	var errs []error
	for i, v := range l {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: empty value", path, i))
		}
	}
	return errs
}

func boolTri(b bool) tri {
	if b {
		return yes
	}
	return no
}
