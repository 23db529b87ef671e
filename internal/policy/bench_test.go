package policy

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// benchPolicy is a realistic 10-rule app policy without CEL.
const benchPolicy = `
- name: health
  action: bypass
  include: [{ip: [10.255.0.10, 10.255.0.11]}]
- name: no-contractors-offsite
  action: deny
  include: [{group: contractors}]
  exclude: [{ip: [10.0.0.0/8, 172.16.0.0/12]}]
- name: blocklist
  action: deny
  include: [{ip: [198.51.100.0/24, 203.0.113.0/24, "2001:db8:bad::/48"]}]
- name: admins
  action: allow
  include: [{group: [admins-prod, sre]}]
  require: [{amr: [hwk, mfa]}, {ip: [10.0.0.0/8, 172.16.0.0/12]}]
- name: executives
  action: allow
  include: [{email: [ceo@example.com, cfo@example.com, cto@example.com, coo@example.com]}]
- name: partners
  action: allow
  include: [{email_domain: [partner.io, vendor.co]}]
  require: [{claim: {name: partner_tier, values: [gold, platinum]}}]
- name: engineering
  action: allow
  include: [{group: [eng-backend, eng-frontend]}]
  require: [{email_domain: example.com}]
  exclude: [{claim: {name: contractor, values: "true"}}]
- name: support
  action: allow
  include: [{claim: {name: dept, values: [support, success]}}]
  require: [{provider: okta}]
- name: finance
  action: allow
  include: [{group: finance}]
  require: [{amr: hwk}]
- name: staff
  action: allow
  include: [{email_domain: [example.com, example.org]}]
  require: [{provider: [okta, google]}, {amr: mfa}]
  exclude: [{group: suspended}]
`

func benchIdentity() *identity.Identity {
	return &identity.Identity{
		Subject:       "00u9",
		Provider:      "okta",
		Email:         "dana@example.com",
		EmailVerified: true,
		Name:          "Dana",
		Groups:        []string{"all-employees", "eng", "eng-platform", "oncall", "building-3", "vpn-users", "wiki-editors", "staff"},
		AMR:           []string{"pwd", "mfa"},
		AuthTime:      testNow.Add(-time.Hour),
		Claims:        map[string]any{"dept": "eng", "contractor": false, "roles": []any{"dev"}},
	}
}

func benchmarkEvaluate(b *testing.B, p *Policy, in *Input, want Action, rule string) {
	b.Helper()
	if d := p.Evaluate(in); d.Action != want || d.Rule != rule {
		b.Fatalf("got %v by %q, want %v by %q\n%s", d.Action, d.Rule, want, rule, d.Explain())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d := p.Evaluate(in)
		if d.Action != want {
			b.Fatal("decision changed")
		}
	}
}

// BenchmarkEvaluateAllowLast allows on the last of 10 rules, so every rule
// is evaluated.
func BenchmarkEvaluateAllowLast(b *testing.B) {
	p := mustCompile(b, benchPolicy)
	in := &Input{Identity: benchIdentity(), IP: netip.MustParseAddr("192.0.2.44"), Now: testNow}
	benchmarkEvaluate(b, p, in, Allow, "staff")
}

// BenchmarkEvaluateDefaultDeny misses every rule and collects a near-miss
// reason for each allow rule.
func BenchmarkEvaluateDefaultDeny(b *testing.B) {
	p := mustCompile(b, benchPolicy)
	id := benchIdentity()
	id.Email, id.Provider = "eve@elsewhere.net", "github"
	in := &Input{Identity: id, IP: netip.MustParseAddr("2001:db8:1::44"), Now: testNow}
	benchmarkEvaluate(b, p, in, Deny, "")
}

// BenchmarkEvaluateUnauthenticated is a request without a session.
func BenchmarkEvaluateUnauthenticated(b *testing.B) {
	p := mustCompile(b, benchPolicy)
	in := &Input{IP: netip.MustParseAddr("192.0.2.44"), Now: testNow}
	benchmarkEvaluate(b, p, in, Deny, "")
}

// BenchmarkEvaluateCEL is one allow rule with a typical CEL expression.
func BenchmarkEvaluateCEL(b *testing.B) {
	p := mustCompile(b, `
- name: recent-eng
  action: allow
  include: [{cel: 'user.email.endsWith("@example.com") && "eng" in user.groups && request.time - user.auth_time < duration("12h")'}]
`)
	in := &Input{Identity: benchIdentity(), IP: netip.MustParseAddr("192.0.2.44"), Now: testNow}
	benchmarkEvaluate(b, p, in, Allow, "recent-eng")
}

func BenchmarkCompile(b *testing.B) {
	rules := parseRules(b, benchPolicy)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(rules, "policies"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvaluateAllocs checks the acceptance criterion behind the benchmarks:
// no allocation per decision without CEL, with the Input built per request
// on the caller's stack as the gateway does.
func TestEvaluateAllocs(t *testing.T) {
	p := mustCompile(t, benchPolicy)
	id := benchIdentity()
	ip := netip.MustParseAddr("192.0.2.44")
	for _, who := range []*identity.Identity{id, nil} {
		allocs := testing.AllocsPerRun(100, func() {
			in := Input{Identity: who, IP: ip, Now: testNow}
			d := p.Evaluate(&in)
			if d.Action != Allow && who != nil {
				t.Fatal("want allow")
			}
			_ = d.Reasons()
		})
		if allocs != 0 {
			t.Errorf("identity %v: %v allocations per Evaluate, want 0", who != nil, allocs)
		}
	}
}
