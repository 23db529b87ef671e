package policy

import (
	"time"

	"github.com/vigil-gw/vigil/internal/ida"
)

// stepUp is what an allow rule asks of a verification, worked out at
// Compile so that Evaluate only points at it.
type stepUp struct {
	level  string        // strongest verified level among its selectors, or ""
	maxAge time.Duration // shortest verified_within, or 0
	acr    []string      // values of its acr selectors, in written order
}

// compileStepUp collects the verification selectors of an allow rule's
// include and require lists; nil when it has none.
func compileStepUp(r *rule) *stepUp {
	if r.action != Allow {
		return nil
	}
	var st stepUp
	found := false
	for _, list := range [][]selector{r.include, r.require} {
		for _, s := range list {
			switch m := s.m.(type) {
			case *verifiedMatcher:
				if a, _ := ida.Rank(m.min); a > 0 {
					if b, _ := ida.Rank(st.level); a > b {
						st.level = m.min
					}
				}
			case *withinMatcher:
				if m.max > 0 && (st.maxAge == 0 || m.max < st.maxAge) {
					st.maxAge = m.max
				}
			case *acrMatcher:
				for _, v := range m.values {
					if !contains(st.acr, v) {
						st.acr = append(st.acr, v)
					}
				}
			default:
				continue
			}
			found = true
		}
	}
	if !found {
		return nil
	}
	return &st
}

func contains(l []string, v string) bool {
	for _, s := range l {
		if s == v {
			return true
		}
	}
	return false
}

// fixable reports whether only r's verification selectors keep it from
// matching: an include matches (or is a verification selector), every
// other require matches and no exclude does. Evaluation errors count as
// not fixable. Reasons found here are thrown away.
func (r *rule) fixable(in *Input) bool {
	var scratch Decision
	inc := false
	for i := range r.include {
		s := &r.include[i]
		if s.stepUp || s.match(in, &scratch) == yes {
			inc = true
			break
		}
	}
	if !inc {
		return false
	}
	for i := range r.require {
		s := &r.require[i]
		if !s.stepUp && s.match(in, &scratch) != yes {
			return false
		}
	}
	for i := range r.exclude {
		if r.exclude[i].match(in, &scratch) != no {
			return false
		}
	}
	return true
}

// StepUp reports whether the deny could turn into an allow once the user
// verifies their identity at the app's verifier, and what the first such
// allow rule asks for: the least assurance level ("" if it names none), the
// verification's greatest age (0 if none) and acceptable acr values (nil
// if none; the slice is shared and must not be modified).
func (d *Decision) StepUp() (needed bool, level string, maxAge time.Duration, acr []string) {
	if d.Action != Deny || d.step == nil {
		return false, "", 0, nil
	}
	return true, d.step.level, d.step.maxAge, d.step.acr
}
