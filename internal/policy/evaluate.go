package policy

// Evaluate decides one request. It never fails: anything it cannot decide
// denies. Bypass rules come first; then allow and deny rules in written
// order, the first that matches deciding; then default deny. A nil policy
// or input denies.
func (p *Policy) Evaluate(in *Input) Decision {
	var d Decision
	// Slot 0 is kept for the decisive reason, filled in when it is known.
	d.n = 1
	if p == nil || in == nil {
		d.reasons[0] = Reason{Code: ReasonNoRuleMatched, Detail: "no policy or no input"}
		return d
	}
	if p.usesIP && !in.IP.IsValid() {
		// Address rules cannot be judged; no rule may decide in its favour.
		d.reasons[0] = p.noClientIP
		return d
	}
	for i := range p.bypass {
		r := &p.bypass[i]
		if v, _ := r.match(in, &d); v == yes {
			d.decide(r)
			return d
		}
		// An unknown bypass rule does not bypass: fail closed, carry on.
	}
	if in.Identity == nil {
		p.evaluateAnonymous(in, &d)
		return d
	}
	for i := range p.rules {
		r := &p.rules[i]
		v, miss := r.match(in, &d)
		switch {
		case v == yes, v == unknown && r.action == Deny:
			// With an identity, unknown means an evaluation error: a deny
			// rule that might have matched denies.
			d.decide(r)
			return d
		case r.action == Allow && miss != nil:
			d.add(miss)
			if d.step == nil && r.step != nil && r.fixable(in) {
				d.step = r.step
			}
		}
	}
	d.reasons[0] = p.noRuleMatched
	return d
}

// evaluateAnonymous walks allow and deny rules for a request with no
// identity. It may deny early only when no earlier allow rule could match
// once the user signs in; otherwise the user is sent to sign in.
func (p *Policy) evaluateAnonymous(in *Input, d *Decision) {
	for i := range p.rules {
		r := &p.rules[i]
		before := int(d.n) + d.Dropped
		v, _ := r.match(in, d)
		failed := int(d.n)+d.Dropped != before // only cel-error reasons are added here
		if r.action == Deny && (v == yes || v == unknown && failed) {
			d.decide(r)
			return
		}
		if r.action == Allow && v != no {
			// Signing in might (or, for an identity-free rule, will) allow.
			break
		}
	}
	d.reasons[0] = p.unauthenticated
}

// decide makes r the deciding rule. Slot 0 becomes r's reason; of the
// reasons gathered so far only cel-error ones are kept, since near misses
// no longer explain anything.
func (d *Decision) decide(r *rule) {
	d.Action, d.Rule = r.action, r.name
	n := uint8(1)
	for i := uint8(1); i < d.n; i++ {
		if d.reasons[i].Code == ReasonCELError {
			d.reasons[n] = d.reasons[i]
			n++
		}
	}
	for i := n; i < d.n; i++ {
		d.reasons[i] = Reason{} // let dropped strings be collected
	}
	// Whatever overflowed was near misses and errors before the decision;
	// counting them would make Explain claim missing reasons for it.
	d.reasons[0], d.n, d.Dropped = r.decided, n, 0
}

// match evaluates r with three-valued logic: yes, no, or unknown (a
// selector needs an identity the request lacks, or failed). On no it also
// returns the reason for the miss.
func (r *rule) match(in *Input, d *Decision) (tri, *Reason) {
	res := no
	for i := range r.include {
		v := r.include[i].match(in, d)
		if v == yes {
			res = yes
			break
		}
		if v == unknown {
			res = unknown
		}
	}
	if res == no {
		return no, &r.noMatch
	}
	for i := range r.require {
		s := &r.require[i]
		switch s.match(in, d) {
		case no:
			return no, &s.failed
		case unknown:
			res = unknown
		}
	}
	for i := range r.exclude {
		s := &r.exclude[i]
		switch s.match(in, d) {
		case yes:
			return no, &s.excluded
		case unknown:
			// Fail closed: an exclude that cannot be judged may have matched.
			res = unknown
		}
	}
	return res, nil
}
