package ida

import (
	"slices"
	"time"
)

// ladder orders the NIST SP 800-63A identity assurance levels, weakest first.
var ladder = [...]string{IAL1, IAL2, IAL3}

// Rank returns the position of level on the NIST IAL ladder (ial1 = 1). Unknown levels, including other
// spellings such as "IAL2", are not ranked: a level Vigil does not know never satisfies a policy.
func Rank(level string) (int, bool) {
	for i, l := range ladder {
		if l == level {
			return i + 1, true
		}
	}
	return 0, false
}

// AtLeast reports whether level meets min on the NIST IAL ladder. It is false when either is unknown.
// It compares levels only: the caller must also check that the trust framework is
// TrustFrameworkNIST80063A, since "ial2" means nothing under another framework.
func AtLeast(level, min string) bool {
	l, ok := Rank(level)
	if !ok {
		return false
	}
	m, ok := Rank(min)
	return ok && l >= m
}

// Assurance summarises a verified_claims for policy: its trust framework and assurance level, when the
// verification took place (zero when the provider did not say: treat that as too old for any max age),
// and the distinct check methods of all evidence, in order of first appearance.
func Assurance(vc VerifiedClaims) (framework, level string, verifiedAt time.Time, methods []string) {
	v := vc.Verification
	for _, e := range v.Evidence {
		for _, c := range e.CheckDetails {
			if c.CheckMethod != "" && !slices.Contains(methods, c.CheckMethod) {
				methods = append(methods, c.CheckMethod)
			}
		}
	}
	return v.TrustFramework, v.AssuranceLevel, v.Time.Time(), methods
}

// DocumentCountry is the issuing country (country_code, ISO 3166-1 alpha-2
// or alpha-3, as the verifier wrote it) of the first document in vc's
// evidence, or "" when the evidence names none.
func DocumentCountry(vc VerifiedClaims) string {
	for _, e := range vc.Verification.Evidence {
		if d := e.DocumentDetails; d != nil && d.Issuer != nil && d.Issuer.CountryCode != "" {
			return d.Issuer.CountryCode
		}
	}
	return ""
}
