package policy

import (
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// verifiedAlice is alice after an ial2 verification a day ago.
func verifiedAlice(f func(v *identity.Verification)) *identity.Identity {
	id := alice()
	id.Verification = &identity.Verification{
		Provider: "idv", Subject: "v-1", TrustFramework: "nist_800_63A", Level: "ial2",
		ACR: "urn:idv:ial2", VerifiedAt: testNow.Add(-24 * time.Hour), AuthTime: testNow.Add(-24 * time.Hour),
	}
	if f != nil {
		f(id.Verification)
	}
	return id
}

func TestVerified(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "same level", sel: `{verified: ial2}`, id: verifiedAlice(nil), want: true},
		{name: "higher level", sel: `{verified: ial1}`, id: verifiedAlice(nil), want: true},
		{name: "ial3 meets ial2", sel: `{verified: ial2}`, id: verifiedAlice(func(v *identity.Verification) { v.Level = "ial3" }), want: true},
		{name: "lower level", sel: `{verified: ial3}`, id: verifiedAlice(nil), want: false},
		{name: "ial1 below ial2", sel: `{verified: ial2}`, id: verifiedAlice(func(v *identity.Verification) { v.Level = "ial1" }), want: false},
		{name: "other framework", sel: `{verified: ial2}`, id: verifiedAlice(func(v *identity.Verification) { v.TrustFramework = "eidas" }), want: false},
		{name: "unknown level spelling", sel: `{verified: ial2}`, id: verifiedAlice(func(v *identity.Verification) { v.Level = "IAL2" }), want: false},
		{name: "no level", sel: `{verified: ial1}`, id: verifiedAlice(func(v *identity.Verification) { v.Level = "" }), want: false},
		{name: "not verified", sel: `{verified: ial1}`, id: alice(), want: false},
		{name: "not signed in", sel: `{verified: ial1}`, id: nil, want: false},
	})
}

func TestVerifiedWithin(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "recent", sel: `{verified_within: 720h}`, id: verifiedAlice(nil), want: true},
		{name: "exactly at the limit", sel: `{verified_within: 24h}`, id: verifiedAlice(nil), want: true},
		{name: "too old", sel: `{verified_within: 23h}`, id: verifiedAlice(nil), want: false},
		{name: "zero time never matches", sel: `{verified_within: 720h}`, id: verifiedAlice(func(v *identity.Verification) { v.VerifiedAt = time.Time{} }), want: false},
		{name: "slightly ahead", sel: `{verified_within: 1h}`, id: verifiedAlice(func(v *identity.Verification) { v.VerifiedAt = testNow.Add(time.Minute) }), want: true},
		{name: "far future not believed", sel: `{verified_within: 720h}`, id: verifiedAlice(func(v *identity.Verification) { v.VerifiedAt = testNow.Add(time.Hour) }), want: false},
		{name: "not verified", sel: `{verified_within: 720h}`, id: alice(), want: false},
		{name: "not signed in", sel: `{verified_within: 720h}`, id: nil, want: false},
	})
}

func TestACR(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "primary acr", sel: `{acr: urn:vigil:aal2}`, id: alice(), want: true},
		{name: "verification acr", sel: `{acr: [x, urn:idv:ial2]}`, id: verifiedAlice(nil), want: true},
		{name: "neither", sel: `{acr: urn:other}`, id: verifiedAlice(nil), want: false},
		{name: "case-sensitive", sel: `{acr: URN:VIGIL:AAL2}`, id: alice(), want: false},
		{name: "no acr", sel: `{acr: urn:vigil:aal2}`, id: with(func(i *identity.Identity) { i.ACR = "" }), want: false},
		{name: "not signed in", sel: `{acr: urn:vigil:aal2}`, id: nil, want: false},
	})
}

func TestVerificationSelectorErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown level", "- action: allow\n  include: [{everyone: true}]\n  require: [{verified: ial9}]\n", `policies[0].require[0].verified: "ial9" is not an assurance level`},
		{"negative age", "- action: allow\n  include: [{everyone: true}]\n  require: [{verified_within: -1h}]\n", `policies[0].require[0].verified_within: want a positive duration`},
		{"empty acr", "- action: allow\n  include: [{acr: []}]\n", `policies[0].include[0].acr: empty list`},
		{"bypass", "- action: bypass\n  include: [{verified: ial2}]\n", `a bypass rule lets requests through without sign-in`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(parseRules(t, tc.src), "policies")
			if err == nil || !containsStr(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
