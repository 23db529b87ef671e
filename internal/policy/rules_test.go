package policy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/identity"
)

func bob() *identity.Identity {
	return &identity.Identity{Subject: "00u2", Provider: "okta", Email: "bob@example.com", EmailVerified: true,
		Groups: []string{"contractors"}, AMR: []string{"pwd"}}
}

type ruleCheck struct {
	id     *identity.Identity
	ip     string
	action Action
	rule   string
	codes  string
}

// ruleCases also seed FuzzPolicy.
var ruleCases = []struct {
	name   string
	policy string
	checks []ruleCheck
}{{
	name: "first match wins: deny before allow",
	policy: `
- {name: no-contractors, action: deny, include: [{group: contractors}]}
- {name: staff, action: allow, include: [{email_domain: example.com}]}`,
	checks: []ruleCheck{
		{bob(), "10.0.0.1", Deny, "no-contractors", "denied-by:no-contractors"},
		{alice(), "10.0.0.1", Allow, "staff", "allowed-by:staff"},
	},
}, {
	name: "first match wins: allow before deny",
	policy: `
- {name: staff, action: allow, include: [{email_domain: example.com}]}
- {name: no-contractors, action: deny, include: [{group: contractors}]}`,
	checks: []ruleCheck{{bob(), "10.0.0.1", Allow, "staff", "allowed-by:staff"}},
}, {
	name: "require all, include any",
	policy: `
- name: admins
  action: allow
  include: [{email: nobody@example.com}, {group: admins}]
  require: [{amr: mfa}, {ip: 10.0.0.0/8}]`,
	checks: []ruleCheck{
		{alice(), "10.0.0.1", Allow, "admins", "allowed-by:admins"},
		{alice(), "192.0.2.1", Deny, "", "no-rule-matched,require-failed:ip"},
		{with(func(i *identity.Identity) { i.AMR = nil }), "10.0.0.1", Deny, "", "no-rule-matched,require-failed:amr"},
		{bob(), "10.0.0.1", Deny, "", "no-rule-matched,no-include-matched"},
	},
}, {
	name: "exclude",
	policy: `
- name: non-admins
  action: allow
  include: [{everyone: true}]
  exclude: [{group: admins}, {ip: 192.0.2.0/24}]`,
	checks: []ruleCheck{
		{alice(), "10.0.0.1", Deny, "", "no-rule-matched,excluded-by:group"},
		{bob(), "192.0.2.9", Deny, "", "no-rule-matched,excluded-by:ip"},
		{bob(), "10.0.0.1", Allow, "non-admins", "allowed-by:non-admins"},
	},
}, {
	name: "near misses for every allow rule, deny rules silent",
	policy: `
- {name: a, action: allow, include: [{group: sales}]}
- {name: d, action: deny, include: [{group: sales}]}
- {action: allow, include: [{everyone: true}], require: [{amr: hwk}]}
- {action: allow, include: [{everyone: true}], exclude: [{provider: okta}]}`,
	checks: []ruleCheck{
		{alice(), "10.0.0.1", Deny, "", "no-rule-matched,no-include-matched,require-failed:amr,excluded-by:provider"},
	},
}, {
	name: "bypass first, for anyone",
	policy: `
- {name: block-all, action: deny, include: [{everyone: true}]}
- {name: health, action: bypass, include: [{ip: 10.0.0.0/8}]}`,
	checks: []ruleCheck{
		{nil, "10.0.0.1", Bypass, "health", "bypass:health"},
		{alice(), "10.0.0.1", Bypass, "health", "bypass:health"},
		{alice(), "192.0.2.1", Deny, "block-all", "denied-by:block-all"},
		{nil, "192.0.2.1", Deny, "", "unauthenticated"},
	},
}, {
	name: "bypass everyone means anyone",
	policy: `
- {name: public, action: bypass, include: [{everyone: true}], exclude: [{cel: 'request.ip == "192.0.2.1"'}]}`,
	checks: []ruleCheck{
		{nil, "10.0.0.1", Bypass, "public", "bypass:public"},
		{nil, "192.0.2.1", Deny, "", "unauthenticated"},
	},
}, {
	name: "anonymous: identity-free deny decides",
	policy: `
- {name: bad-net, action: deny, include: [{ip: 192.0.2.0/24}]}
- {name: staff, action: allow, include: [{email_domain: example.com}]}`,
	checks: []ruleCheck{
		{nil, "192.0.2.1", Deny, "bad-net", "denied-by:bad-net"},
		{nil, "10.0.0.1", Deny, "", "unauthenticated"},
	},
}, {
	name: "anonymous: deny after an allow that signing in could satisfy waits",
	policy: `
- {name: staff, action: allow, include: [{email_domain: example.com}]}
- {name: bad-net, action: deny, include: [{ip: 192.0.2.0/24}]}`,
	checks: []ruleCheck{
		{nil, "192.0.2.1", Deny, "", "unauthenticated"},
		{alice(), "192.0.2.1", Allow, "staff", "allowed-by:staff"},
	},
}, {
	name: "anonymous: deny after an allow ruled out by address decides",
	policy: `
- {name: office, action: allow, include: [{group: eng}], require: [{ip: 10.0.0.0/8}]}
- {name: bad-net, action: deny, include: [{ip: 192.0.2.0/24}]}`,
	checks: []ruleCheck{
		{nil, "192.0.2.1", Deny, "bad-net", "denied-by:bad-net"},
		{nil, "10.0.0.1", Deny, "", "unauthenticated"},
	},
}, {
	name: "anonymous: identity-free allow still needs sign-in",
	policy: `
- {name: office, action: allow, include: [{ip: 10.0.0.0/8}]}`,
	checks: []ruleCheck{
		{nil, "10.0.0.1", Deny, "", "unauthenticated"},
		{alice(), "10.0.0.1", Allow, "office", "allowed-by:office"},
	},
}, {
	name: "anonymous: deny rule needing identity is not evaluated",
	policy: `
- {name: no-contractors, action: deny, include: [{ip: 0.0.0.0/0}], exclude: [{group: admins}]}
- {name: all, action: allow, include: [{everyone: true}]}`,
	checks: []ruleCheck{
		{nil, "10.0.0.1", Deny, "", "unauthenticated"},
		{alice(), "10.0.0.1", Allow, "all", "allowed-by:all"},
		{bob(), "10.0.0.1", Deny, "no-contractors", "denied-by:no-contractors"},
	},
}, {
	name: "exclude that errors never lets an allow rule match",
	policy: `
- {name: a, action: allow, include: [{everyone: true}], exclude: [{cel: 'user.claims.blocked == true'}]}`,
	checks: []ruleCheck{{alice(), "10.0.0.1", Deny, "", "no-rule-matched,cel-error"}},
}, {
	name: "deny rule that errors denies",
	policy: `
- {name: d, action: deny, include: [{cel: 'user.claims.risk > 50'}]}
- {name: a, action: allow, include: [{everyone: true}]}`,
	checks: []ruleCheck{
		{alice(), "10.0.0.1", Deny, "d", "denied-by:d,cel-error"},
		{with(func(i *identity.Identity) { i.Claims = map[string]any{"risk": 10.0} }), "10.0.0.1", Allow, "a", "allowed-by:a"},
	},
}, {
	name: "deny rule that errors without identity denies",
	policy: `
- {name: d, action: deny, include: [{cel: 'request.device == "x"'}]}`,
	checks: []ruleCheck{{nil, "10.0.0.1", Deny, "d", "denied-by:d,cel-error"}},
}, {
	name: "a definite miss beats an error",
	policy: `
- {name: d, action: deny, include: [{cel: 'user.claims.risk > 50'}], require: [{group: nobody}]}
- {name: a, action: allow, include: [{everyone: true}]}`,
	checks: []ruleCheck{{alice(), "10.0.0.1", Allow, "a", "allowed-by:a,cel-error"}},
}, {
	name: "default names",
	policy: `
- {action: deny, include: [{group: contractors}]}
- {action: allow, include: [{everyone: true}]}`,
	checks: []ruleCheck{
		{bob(), "10.0.0.1", Deny, "policy-0", "denied-by:policy-0"},
		{alice(), "10.0.0.1", Allow, "policy-1", "allowed-by:policy-1"},
	},
}, {
	name: "no client address with ip rules",
	policy: `
- {name: health, action: bypass, include: [{everyone: true}], exclude: [{ip: 192.0.2.0/24}]}`,
	checks: []ruleCheck{{nil, "", Deny, "", "no-client-ip"}},
}, {
	name: "no client address without ip rules",
	policy: `
- {name: all, action: allow, include: [{everyone: true}]}`,
	checks: []ruleCheck{{alice(), "", Allow, "all", "allowed-by:all"}},
}, {
	name:   "empty policy",
	policy: `[]`,
	checks: []ruleCheck{
		{alice(), "10.0.0.1", Deny, "", "no-rule-matched"},
		{nil, "10.0.0.1", Deny, "", "unauthenticated"},
	},
}}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, tc.policy)
			for i, c := range tc.checks {
				d := p.Evaluate(input(c.id, c.ip))
				if d.Action != c.action || d.Rule != c.rule || codes(&d) != c.codes {
					t.Errorf("check %d: got %v rule %q reasons %q; want %v rule %q reasons %q\n%s",
						i, d.Action, d.Rule, codes(&d), c.action, c.rule, c.codes, d.Explain())
				}
			}
		})
	}
}

func TestReasonsOverflow(t *testing.T) {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "- {action: allow, include: [{group: g%d}]}\n", i)
	}
	p := mustCompile(t, b.String())
	d := p.Evaluate(input(alice(), "10.0.0.1"))
	if len(d.Reasons()) != maxReasons || d.Dropped != 21-maxReasons {
		t.Fatalf("got %d reasons, %d dropped", len(d.Reasons()), d.Dropped)
	}
	if !strings.Contains(d.Explain(), "5 more") {
		t.Fatalf("Explain does not count dropped reasons:\n%s", d.Explain())
	}
}

func TestExplain(t *testing.T) {
	p := mustCompile(t, `
- {name: admins, action: allow, include: [{group: admins}], require: [{amr: hwk}]}
- {name: ops, action: allow, include: [{group: ops}]}`)
	d := p.Evaluate(input(alice(), "10.0.0.1"))
	want := `deny: default deny
  - no-rule-matched
  - require-failed:amr (rule "admins", require[0])
  - no-include-matched (rule "ops")
`
	if got := d.Explain(); got != want {
		t.Fatalf("Explain:\n%s\nwant:\n%s", got, want)
	}
	d = p.Evaluate(input(nil, "10.0.0.1"))
	if got := d.Explain(); got != "deny: not signed in\n  - unauthenticated\n" || !d.Unauthenticated() || d.Allowed() {
		t.Fatalf("Explain:\n%s", got)
	}
	d = p.Evaluate(input(with(func(i *identity.Identity) { i.Groups = []string{"ops"} }), "10.0.0.1"))
	if got := d.Explain(); got != "allow by rule \"ops\"\n  - allowed-by:ops (rule \"ops\")\n" || !d.Allowed() || d.Unauthenticated() {
		t.Fatalf("Explain:\n%s", got)
	}
}

func TestActionString(t *testing.T) {
	for a, want := range map[Action]string{Deny: "deny", Allow: "allow", Bypass: "bypass", 7: "action(7)"} {
		if a.String() != want {
			t.Errorf("%d: %q, want %q", a, a.String(), want)
		}
	}
	if !(Decision{Action: Bypass}).Allowed() || (Decision{}).Allowed() {
		t.Error("Allowed: bypass must pass, the zero decision must not")
	}
}

func TestEvaluateNil(t *testing.T) {
	var p *Policy
	if d := p.Evaluate(input(alice(), "10.0.0.1")); d.Action != Deny || codes(&d) != ReasonNoRuleMatched {
		t.Fatalf("nil policy: %s", d.Explain())
	}
	p = mustCompile(t, `[{action: allow, include: [{everyone: true}]}]`)
	if d := p.Evaluate(nil); d.Action != Deny || codes(&d) != ReasonNoRuleMatched {
		t.Fatalf("nil input: %s", d.Explain())
	}
}

func TestCELWithoutClientIP(t *testing.T) {
	p := mustCompile(t, `
- {name: office, action: allow, include: [{cel: 'request.ip.startsWith("10.")'}]}
- {name: clock, action: allow, include: [{cel: 'request.time.getHours() == 10'}]}`)
	d := p.Evaluate(input(alice(), ""))
	if d.Action != Allow || d.Rule != "clock" || codes(&d) != "allowed-by:clock,cel-error" {
		t.Fatalf("want allow by clock after a cel-error for office:\n%s", d.Explain())
	}
}
