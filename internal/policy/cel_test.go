package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestCEL(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "email", sel: `{cel: 'user.email == "alice@example.com"'}`, id: alice(), want: true},
		{name: "email endsWith", sel: `{cel: 'user.email.endsWith("@example.com")'}`, id: alice(), want: true},
		{name: "group membership", sel: `{cel: '"admins" in user.groups'}`, id: alice(), want: true},
		{name: "group missing", sel: `{cel: '"sales" in user.groups'}`, id: alice(), want: false},
		{name: "amr", sel: `{cel: '"mfa" in user.amr && user.acr == "urn:vigil:aal2"'}`, id: alice(), want: true},
		{name: "provider and sub", sel: `{cel: 'user.provider == "okta" && user.sub == "00u1"'}`, id: alice(), want: true},
		{name: "name", sel: `{cel: 'user.name == "Alice"'}`, id: alice(), want: true},
		{name: "claim string", sel: `{cel: 'user.claims.dept == "eng"'}`, id: alice(), want: true},
		{name: "claim number cross-type", sel: `{cel: 'user.claims.level >= 2'}`, id: alice(), want: true},
		{name: "claim list", sel: `{cel: '"ops" in user.claims.roles'}`, id: alice(), want: true},
		{name: "has guards missing claim", sel: `{cel: 'has(user.claims.team) && user.claims.team == "x"'}`, id: alice(), want: false},
		{name: "recent auth", sel: `{cel: 'request.time - user.auth_time < duration("1h")'}`, id: alice(), want: true},
		{name: "stale auth", sel: `{cel: 'request.time - user.auth_time < duration("5m")'}`, id: alice(), want: false},
		{name: "no auth_time", sel: `{cel: '!has(user.auth_time)'}`, id: with(func(i *identity.Identity) { i.AuthTime = time.Time{} }), want: true},
		{name: "nil groups and claims", sel: `{cel: 'size(user.groups) == 0 && size(user.claims) == 0'}`, id: with(func(i *identity.Identity) { i.Groups, i.Claims = nil, nil }), want: true},
		{name: "email_verified", sel: `{cel: 'user.email_verified == true'}`, id: with(func(i *identity.Identity) { i.EmailVerified = true }), want: true},
		{name: "request ip", sel: `{cel: 'request.ip.startsWith("10.")'}`, id: alice(), ip: "10.0.0.1", want: true},
		{name: "request ip unmapped", sel: `{cel: 'request.ip == "10.0.0.1"'}`, id: alice(), ip: "::ffff:10.0.0.1", want: true},
		{name: "request time", sel: `{cel: 'request.time.getHours() == 10'}`, id: alice(), want: true},
		{name: "runtime error fails closed", sel: `{cel: 'user.claims.team == "x"'}`, id: alice(), want: false, reason: "cel-error"},
		{name: "user expression, not signed in", sel: `{cel: 'user.email != ""'}`, id: nil, want: false},
		{name: "verification bound to a device", sel: `{cel: 'has(user.verification) && "hwk" in user.verification.amr && "vcrypt" in user.verification.methods'}`,
			id: with(func(i *identity.Identity) {
				i.Verification = &identity.Verification{Provider: "idv", Level: "ial2", AMR: []string{"otp", "hwk"}, Methods: []string{"vcrypt", "bvr"}}
			}), want: true},
		{name: "verification not bound", sel: `{cel: 'has(user.verification) && "hwk" in user.verification.amr'}`,
			id: with(func(i *identity.Identity) {
				i.Verification = &identity.Verification{Provider: "idv", Level: "ial2", AMR: []string{"otp"}}
			}), want: false},
		{name: "no verification", sel: `{cel: 'has(user.verification)'}`, id: alice(), want: false},
	})
}

func TestCELErrorReason(t *testing.T) {
	p := mustCompile(t, `
- name: team
  action: allow
  include: [{cel: 'user.claims.team == "x"'}]
- name: all
  action: allow
  include: [{everyone: true}]
`)
	d := p.Evaluate(input(alice(), "10.0.0.1"))
	if d.Action != Allow || d.Rule != "all" {
		t.Fatalf("want allow by all, got\n%s", d.Explain())
	}
	rs := d.Reasons()
	if len(rs) != 2 || rs[1].Code != ReasonCELError || rs[1].Rule != "team" || !strings.Contains(rs[1].Detail, "include[0]") ||
		!strings.Contains(rs[1].Detail, "team") {
		t.Fatalf("want allowed-by:all then a cel-error for team, got %+v", rs)
	}
}

func TestCELCostLimit(t *testing.T) {
	// Nested comprehensions over a large claim: far past the cost limit.
	big := make([]any, 2000)
	for i := range big {
		big[i] = "x"
	}
	id := with(func(i *identity.Identity) { i.Claims = map[string]any{"big": big} })
	p := mustCompile(t, `
- action: allow
  include: [{cel: 'user.claims.big.all(a, user.claims.big.all(b, user.claims.big.all(c, a + b + c != "")))'}]
`)
	start := time.Now()
	d := p.Evaluate(input(id, "10.0.0.1"))
	if d.Action != Deny || !strings.Contains(codes(&d), ReasonCELError) {
		t.Fatalf("want a deny with cel-error, got\n%s", d.Explain())
	}
	if !strings.Contains(d.Explain(), "cost") {
		t.Fatalf("want the cost limit named, got\n%s", d.Explain())
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("cost limit did not stop evaluation early: %v", el)
	}
}

func TestCELUsesUser(t *testing.T) {
	for expr, want := range map[string]bool{
		`user.email == "a@example.com"`:             true,
		`has(user.email)`:                           true,
		`"x" in user.groups`:                        true,
		`request.ip == "10.0.0.1"`:                  false,
		`request.time.getHours() < 18`:              false,
		`[1, 2].exists(x, x == 2)`:                  false,
		`request.ip == "1.2.3.4" || user.sub == ""`: true,
	} {
		var c celCompiler
		m, errs := c.compile(expr, selectorSpec{path: "p"})
		if len(errs) > 0 {
			t.Fatalf("%s: %v", expr, errs)
		}
		if m.usesUser != want {
			t.Errorf("%s: usesUser = %v, want %v", expr, m.usesUser, want)
		}
	}
}
