package policy

import (
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
)

// compileErrorCases also seed FuzzPolicy.
var compileErrorCases = []struct {
	name   string
	policy string
	want   []string // one entry per reported problem, a prefix of its line
}{
	{"unknown action", `[{action: permit, include: [{everyone: true}]}]`,
		[]string{`policies[0].action: "permit" is not allow, deny or bypass`}},
	{"missing action", `[{include: [{everyone: true}]}]`,
		[]string{`policies[0].action: required`}},
	{"empty include", `[{action: allow, require: [{group: a}]}]`,
		[]string{`policies[0].include: required`}},
	{"no selector field", `[{action: allow, include: [{}]}]`,
		[]string{`policies[0].include[0]: no selector set`}},
	{"everyone false is no selector", `[{action: allow, include: [{everyone: false}]}]`,
		[]string{`policies[0].include[0]: no selector set`}},
	{"two selector fields", `[{action: allow, include: [{group: a, email: a@example.com}]}]`,
		[]string{`policies[0].include[0]: several selectors set (email, group)`}},
	{"empty lists", `[{action: allow, include: [{email: []}, {email_domain: []}, {provider: []}, {group: []}, {amr: []}, {ip: []}]}]`,
		[]string{
			`policies[0].include[0].email: empty list`, `policies[0].include[1].email_domain: empty list`,
			`policies[0].include[2].provider: empty list`, `policies[0].include[3].group: empty list`,
			`policies[0].include[4].amr: empty list`, `policies[0].include[5].ip: empty list`,
		}},
	{"empty value", `[{action: allow, include: [{group: [a, ""]}]}]`,
		[]string{`policies[0].include[0].group[1]: empty value`}},
	{"bad cidr", `[{action: allow, include: [{ip: [10.0.0.0/8, 10.0.0/8]}]}]`,
		[]string{`policies[0].include[0].ip: "10.0.0/8" is not an IP or CIDR`}},
	{"host bits", `[{action: allow, include: [{ip: 10.0.0.1/8}]}]`,
		[]string{`policies[0].include[0].ip: "10.0.0.1/8" has host bits set: did you mean 10.0.0.0/8?`}},
	{"bad email domain", `[{action: allow, include: [{email_domain: ["@example.com", "*.example.com", localhost]}]}]`,
		[]string{
			`policies[0].include[0].email_domain: "@example.com" is not an email domain`,
			`policies[0].include[0].email_domain: "*.example.com" is not an email domain`,
			`policies[0].include[0].email_domain: "localhost" is not an email domain`,
		}},
	{"bad email", `[{action: allow, include: [{email: [example.com, "@example.com", "a b@example.com"]}]}]`,
		[]string{
			`policies[0].include[0].email: "example.com" is not an email address`,
			`policies[0].include[0].email: "@example.com" is not an email address`,
			`policies[0].include[0].email: "a b@example.com" is not an email address`,
		}},
	{"claim without name or values", `[{action: allow, include: [{claim: {values: []}}]}]`,
		[]string{`policies[0].include[0].claim.name: required`, `policies[0].include[0].claim.values: empty list`}},
	{"claim without values", `[{action: allow, include: [{claim: {name: dept}}]}]`,
		[]string{`policies[0].include[0].claim.values: empty list`}},
	{"cel syntax", `[{action: allow, include: [{cel: 'user.email =='}]}]`,
		[]string{`policies[0].include[0].cel: ERROR: <input>:1:`}},
	{"cel undeclared", `[{action: allow, include: [{cel: 'device.trusted'}]}]`,
		[]string{`policies[0].include[0].cel: ERROR: <input>:1:1: undeclared reference to 'device'`}},
	{"cel not bool", `[{action: allow, include: [{cel: 'user.email'}, {cel: '1 + 2'}]}]`,
		[]string{`policies[0].include[0].cel: must evaluate to bool, not dyn`, `policies[0].include[1].cel: must evaluate to bool, not int`}},
	{"cel too long", `[{action: allow, include: [{cel: '` + strings.Repeat("true && ", 600) + `true'}]}]`,
		[]string{`policies[0].include[0].cel: ERROR:`}},
	{"bypass with identity selector", `[{action: bypass, include: [{ip: 10.0.0.0/8}], exclude: [{group: a}]}]`,
		[]string{`policies[0].exclude[0].group: a bypass rule lets requests through without sign-in`}},
	{"bypass with user cel", `[{action: bypass, include: [{cel: 'user.email == ""'}]}]`,
		[]string{`policies[0].include[0].cel: a bypass rule lets requests through without sign-in`}},
	{"duplicate names", `[{name: a, action: allow, include: [{everyone: true}]}, {name: a, action: deny, include: [{everyone: true}]}]`,
		[]string{`policies[1].name: "a" is already the name of policies[0]`}},
	{"default name clash", `[{action: allow, include: [{everyone: true}]}, {name: policy-0, action: deny, include: [{everyone: true}]}]`,
		[]string{`policies[1].name: "policy-0" is already the name of policies[0]`}},
	{"all problems at once", `
- action: nope
  include: [{ip: bad}]
  require: [{}]
- action: allow
  exclude: [{email_domain: "x"}, {cel: '42'}]`,
		[]string{
			`policies[0].action: "nope" is not allow, deny or bypass`,
			`policies[0].include[0].ip: "bad" is not an IP or CIDR`,
			`policies[0].require[0]: no selector set`,
			`policies[1].include: required`,
			`policies[1].exclude[0].email_domain: "x" is not an email domain`,
			`policies[1].exclude[1].cel: must evaluate to bool, not int`,
		}},
}

func TestCompileErrors(t *testing.T) {
	for _, tc := range compileErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(parseRules(t, tc.policy), "policies")
			if err == nil {
				t.Fatalf("Compile succeeded, want errors %q", tc.want)
			}
			if p != nil {
				t.Error("Compile returned a policy with an error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d:\n got %s\nwant %s...", i, lines[i], w)
				}
			}
		})
	}
}

func TestCompileAppPath(t *testing.T) {
	_, err := Compile([]config.Rule{{Action: "allow"}}, "apps[3].policies")
	if err == nil || !strings.HasPrefix(err.Error(), "apps[3].policies[0].include: ") {
		t.Fatalf("got %v", err)
	}
}

func TestCompileValid(t *testing.T) {
	mustCompile(t, benchPolicy)
	mustCompile(t, `
- {action: bypass, include: [{everyone: true}, {ip: 10.0.0.0/8}, {cel: 'request.ip == "10.0.0.1"'}]}
- {action: deny, include: [{claim: {name: risk, values: [high, "true", "3"]}}]}`)
}
