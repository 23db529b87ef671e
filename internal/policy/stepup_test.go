package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

const stepUpPolicy = `
- name: contractors
  action: deny
  include: [{group: contractors}]
- name: kyc
  action: allow
  include: [{email_domain: example.com}]
  require: [{verified: ial2}, {verified_within: 720h}, {amr: mfa}]
  exclude: [{group: suspended}]
- name: strict
  action: allow
  include: [{email_domain: example.com}]
  require: [{verified: ial3}, {verified_within: 24h}, {acr: [urn:a, urn:b]}]
`

func TestStepUp(t *testing.T) {
	cases := []struct {
		name    string
		id      *identity.Identity
		want    Action
		reason  string // first reason code
		needed  bool
		level   string
		maxAge  time.Duration
		acr     string
		policyY string // another policy than stepUpPolicy
	}{
		{name: "unverified user is told to verify", id: alice(), want: Deny, reason: ReasonNoRuleMatched,
			needed: true, level: "ial2", maxAge: 720 * time.Hour},
		{name: "verified user passes", id: verifiedAlice(nil), want: Allow, reason: "allowed-by:kyc"},
		{name: "stale verification: verify again", id: verifiedAlice(func(v *identity.Verification) { v.VerifiedAt = testNow.Add(-800 * time.Hour) }),
			want: Deny, reason: ReasonNoRuleMatched, needed: true, level: "ial2", maxAge: 720 * time.Hour},
		{name: "no mfa: verification would not help with kyc, strict asks", id: with(func(i *identity.Identity) { i.AMR = []string{"pwd"} }),
			want: Deny, reason: ReasonNoRuleMatched, needed: true, level: "ial3", maxAge: 24 * time.Hour, acr: "urn:a urn:b"},
		{name: "suspended: kyc excludes, strict has no exclude", id: with(func(i *identity.Identity) { i.Groups = []string{"suspended"} }),
			want: Deny, reason: ReasonNoRuleMatched, needed: true, level: "ial3", maxAge: 24 * time.Hour, acr: "urn:a urn:b"},
		{name: "suspended without mfa: nothing helps", id: with(func(i *identity.Identity) { i.Groups, i.AMR = []string{"suspended"}, nil; i.ACR = "" }),
			want: Deny, reason: ReasonNoRuleMatched, needed: false,
			policyY: "- {name: kyc, action: allow, include: [{everyone: true}], require: [{verified: ial2}], exclude: [{group: suspended}]}\n"},
		{name: "other domain: nothing helps", id: with(func(i *identity.Identity) { i.Email = "a@other.org" }),
			want: Deny, reason: ReasonNoRuleMatched, needed: false},
		{name: "denied by an earlier rule", id: with(func(i *identity.Identity) { i.Groups = []string{"contractors"} }),
			want: Deny, reason: "denied-by:contractors", needed: false},
		{name: "later deny rule: verification still lets the allow rule decide first", id: alice(), want: Deny,
			reason: "denied-by:everyone-else", needed: true, level: "ial2",
			policyY: "- {name: kyc, action: allow, include: [{everyone: true}], require: [{verified: ial2}]}\n- {name: everyone-else, action: deny, include: [{everyone: true}]}\n"},
		{name: "verification in include", id: alice(), want: Deny, reason: ReasonNoRuleMatched, needed: true, level: "ial1",
			policyY: "- {name: v, action: allow, include: [{verified: ial1}]}\n"},
		{name: "policy without verification selectors", id: alice(), want: Deny, reason: ReasonNoRuleMatched, needed: false,
			policyY: "- {name: v, action: allow, include: [{group: nobody}]}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := stepUpPolicy
			if tc.policyY != "" {
				src = tc.policyY
			}
			p := mustCompile(t, src)
			d := p.Evaluate(input(tc.id, "192.0.2.1"))
			if d.Action != tc.want || d.Reasons()[0].Code != tc.reason {
				t.Fatalf("got %v (%s), want %v (%s)\n%s", d.Action, codes(&d), tc.want, tc.reason, d.Explain())
			}
			needed, level, maxAge, acr := d.StepUp()
			if needed != tc.needed || level != tc.level || maxAge != tc.maxAge || strings.Join(acr, " ") != tc.acr {
				t.Fatalf("StepUp() = %v %q %v %q, want %v %q %v %q", needed, level, maxAge, acr, tc.needed, tc.level, tc.maxAge, tc.acr)
			}
		})
	}
}

func TestStepUpAnonymous(t *testing.T) {
	p := mustCompile(t, stepUpPolicy)
	d := p.Evaluate(input(nil, "192.0.2.1"))
	if !d.Unauthenticated() {
		t.Fatalf("want unauthenticated, got %s", d.Explain())
	}
	if needed, _, _, _ := d.StepUp(); needed {
		t.Fatal("an anonymous request must sign in first, not verify")
	}
}

// BenchmarkEvaluateStepUp denies a signed-in but unverified user and works
// out the step-up.
func BenchmarkEvaluateStepUp(b *testing.B) {
	p := mustCompile(b, benchPolicy+`
- name: kyc
  action: allow
  include: [{email_domain: elsewhere.net}]
  require: [{verified: ial2}, {verified_within: 720h}]
`)
	id := benchIdentity()
	id.Email, id.Provider = "eve@elsewhere.net", "github"
	in := &Input{Identity: id, IP: netip.MustParseAddr("2001:db8:1::44"), Now: testNow}
	if d := p.Evaluate(in); !stepNeeded(&d) {
		b.Fatal("want a step-up")
	}
	benchmarkEvaluate(b, p, in, Deny, "")
}

func stepNeeded(d *Decision) bool { n, _, _, _ := d.StepUp(); return n }

func TestEvaluateStepUpAllocs(t *testing.T) {
	p := mustCompile(t, stepUpPolicy)
	id := alice()
	ip := netip.MustParseAddr("192.0.2.44")
	allocs := testing.AllocsPerRun(100, func() {
		in := Input{Identity: id, IP: ip, Now: testNow}
		d := p.Evaluate(&in)
		if !stepNeeded(&d) {
			t.Fatal("want step-up")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Evaluate with step-up, want 0", allocs)
	}
}
