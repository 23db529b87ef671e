package policy

import (
	"fmt"

	"github.com/vigil-gw/vigil/internal/risk"
)

// riskMatcher matches users whose current risk level is at most max. The
// gateway puts the level in Input.Risk; a user with no factors is low.
type riskMatcher struct{ max risk.Level }

var _ matcher = riskMatcher{}

func compileRisk(s, path string) (riskMatcher, []error) {
	l, err := risk.ParseLevel(s)
	if err != nil {
		return riskMatcher{}, []error{fmt.Errorf("%s: %q is not a risk level: want low, medium or high (the highest level allowed)", path, s)}
	}
	return riskMatcher{max: l}, nil
}

func (m riskMatcher) match(in Input) (tri, *Reason) { return boolTri(in.Risk <= m.max), nil }
