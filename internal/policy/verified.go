package policy

import (
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/ida"
)

// Verification selectors: verified (assurance level), verified_within (age
// of the verification) and acr. A missing verification never matches; the
// gateway may then send the user to the app's verifier (see StepUp).

// maxVerificationFuture tolerates verifier clocks slightly ahead of ours; a
// verification time further in the future is not believed.
const maxVerificationFuture = 5 * time.Minute

// verifiedMatcher matches a verification under the NIST SP 800-63A trust
// framework at level min or above. Levels under other frameworks never
// match: "ial2" means nothing outside NIST.
type verifiedMatcher struct{ min string }

var _ matcher = (*verifiedMatcher)(nil)

func compileVerified(level, path string) (*verifiedMatcher, []error) {
	if _, ok := ida.Rank(level); !ok {
		return &verifiedMatcher{}, []error{fmt.Errorf("%s: %q is not an assurance level: want ial1, ial2 or ial3", path, level)}
	}
	return &verifiedMatcher{min: level}, nil
}

func (m *verifiedMatcher) match(in Input) (tri, *Reason) {
	v := in.Identity.Verification
	return boolTri(v != nil && v.TrustFramework == ida.TrustFrameworkNIST80063A && ida.AtLeast(v.Level, m.min)), nil
}

// withinMatcher matches a verification no older than max at Input.Now. An
// unknown verification time never matches.
type withinMatcher struct{ max time.Duration }

var _ matcher = (*withinMatcher)(nil)

func compileVerifiedWithin(d time.Duration, path string) (*withinMatcher, []error) {
	if d <= 0 {
		return &withinMatcher{}, []error{fmt.Errorf("%s: want a positive duration such as 720h, got %s", path, d)}
	}
	return &withinMatcher{max: d}, nil
}

func (m *withinMatcher) match(in Input) (tri, *Reason) {
	v := in.Identity.Verification
	if v == nil || v.VerifiedAt.IsZero() {
		return no, nil
	}
	age := in.Now.Sub(v.VerifiedAt)
	return boolTri(age <= m.max && age >= -maxVerificationFuture), nil
}

// acrMatcher matches the primary sign-in's acr or the verification's acr.
type acrMatcher struct {
	set    exactSet
	values []string // as written, for StepUp's acr_values
}

var _ matcher = (*acrMatcher)(nil)

func compileACR(l []string, path string) (*acrMatcher, []error) {
	return &acrMatcher{set: newExactSet(l), values: l}, checkList(l, path)
}

func (m *acrMatcher) match(in Input) (tri, *Reason) {
	id := in.Identity
	if id.ACR != "" && m.set.has(id.ACR) {
		return yes, nil
	}
	v := id.Verification
	return boolTri(v != nil && v.ACR != "" && m.set.has(v.ACR)), nil
}
