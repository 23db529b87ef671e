package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/risk"
)

// Input is what Evaluate decides on. It is read, never modified.
type Input struct {
	// Identity is the signed-in user, nil when there is no valid session.
	Identity *identity.Identity
	// IP is the client address as the gateway determined it.
	IP netip.Addr
	// Now is the request time, given to CEL as request.time.
	Now time.Time
	// Risk is the signed-in user's risk level now (low when unknown).
	Risk risk.Level
}

// Policy is a compiled, immutable rule list, safe for concurrent use.
type Policy struct {
	bypass []rule // bypass rules, in written order
	rules  []rule // allow and deny rules, in written order
	usesIP bool   // some ip selector reads the client address

	unauthenticated Reason
	noRuleMatched   Reason
	noClientIP      Reason

	claims ClaimRefs // what its selectors read of the ID token's claims
}

// rule is one compiled config.Rule.
type rule struct {
	name     string
	action   Action
	include  []selector
	require  []selector
	exclude  []selector
	identity bool    // some selector needs a signed-in user
	decided  Reason  // allowed-by / denied-by / bypass
	noMatch  Reason  // no-include-matched
	step     *stepUp // verification selectors of an allow rule, or nil
}

var actions = map[string]Action{"allow": Allow, "deny": Deny, "bypass": Bypass}

// Compile checks rules and compiles them. path locates the list in the
// configuration file (e.g. "apps[0].policies") and prefixes every error;
// all problems are reported together, joined with errors.Join.
func Compile(rules []config.Rule, path string) (*Policy, error) {
	p := &Policy{
		unauthenticated: Reason{Code: ReasonUnauthenticated},
		noRuleMatched:   Reason{Code: ReasonNoRuleMatched},
		noClientIP:      Reason{Code: ReasonNoClientIP},
	}
	var errs []error
	var cel celCompiler
	names := make(map[string]int, len(rules))
	for i := range rules {
		rpath := path + "[" + strconv.Itoa(i) + "]"
		r, rerrs := compileRule(&rules[i], i, rpath, &cel)
		errs = append(errs, rerrs...)
		if j, dup := names[r.name]; dup {
			errs = append(errs, fmt.Errorf("%s.name: %q is already the name of %s[%d]", rpath, r.name, path, j))
		}
		names[r.name] = i
		for _, list := range [][]selector{r.include, r.require, r.exclude} {
			for _, s := range list {
				// CEL needs no such guard: without an address request.ip is
				// unbound, the expression errors and fails closed.
				if s.kind == "ip" {
					p.usesIP = true
				}
			}
		}
		if r.action == Bypass {
			p.bypass = append(p.bypass, r)
		} else {
			p.rules = append(p.rules, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.collectClaims()
	return p, nil
}

func compileRule(c *config.Rule, index int, path string, cel *celCompiler) (rule, []error) {
	r := rule{name: c.Name}
	if r.name == "" {
		r.name = "policy-" + strconv.Itoa(index)
	}
	var errs []error
	a, ok := actions[c.Action]
	switch {
	case c.Action == "":
		errs = append(errs, fmt.Errorf("%s.action: required: allow, deny or bypass", path))
	case !ok:
		errs = append(errs, fmt.Errorf("%s.action: %q is not allow, deny or bypass", path, c.Action))
	}
	r.action = a
	if !ok {
		// Compile the selectors as for allow so their errors are reported too.
		r.action = Allow
	}
	if len(c.Include) == 0 {
		errs = append(errs, fmt.Errorf("%s.include: required: a rule with no include matches nobody", path))
	}
	lists := []struct {
		name string
		in   []config.Selector
		out  *[]selector
	}{
		{"include", c.Include, &r.include},
		{"require", c.Require, &r.require},
		{"exclude", c.Exclude, &r.exclude},
	}
	for _, l := range lists {
		for i := range l.in {
			detail := l.name + "[" + strconv.Itoa(i) + "]"
			at := selectorSpec{path: path + "." + detail, detail: detail, rule: r.name, bypass: r.action == Bypass}
			s, serrs := compileSelector(&l.in[i], at, cel)
			errs = append(errs, serrs...)
			*l.out = append(*l.out, s)
			r.identity = r.identity || s.identity
		}
	}
	switch r.action {
	case Allow:
		r.decided = Reason{Code: prefixAllowedBy + r.name, Rule: r.name}
	case Deny:
		r.decided = Reason{Code: prefixDeniedBy + r.name, Rule: r.name}
	case Bypass:
		r.decided = Reason{Code: prefixBypass + r.name, Rule: r.name}
	}
	r.noMatch = Reason{Code: ReasonNoInclude, Rule: r.name}
	r.step = compileStepUp(&r)
	return r, errs
}
