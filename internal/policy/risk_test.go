package policy

import (
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/risk"
)

func TestRiskSelector(t *testing.T) {
	src := "- action: allow\n  include: [{email_domain: example.com}]\n  require: [{risk: %s}]\n"
	cases := []struct {
		max   string
		level risk.Level
		want  bool
	}{
		{"low", risk.Low, true},
		{"low", risk.Medium, false},
		{"medium", risk.Medium, true},
		{"medium", risk.High, false},
		{"high", risk.High, true},
	}
	for _, tc := range cases {
		p := mustCompile(t, strings.Replace(src, "%s", tc.max, 1))
		in := input(alice(), "192.0.2.1")
		in.Risk = tc.level
		d := p.Evaluate(in)
		if got := d.Action == Allow; got != tc.want {
			t.Errorf("risk %s at %s: allowed=%v, want %v\n%s", tc.max, tc.level, got, tc.want, d.Explain())
		}
		if !tc.want && !strings.Contains(codes(&d), "require-failed:risk") {
			t.Errorf("risk %s at %s: reasons %q lack require-failed:risk", tc.max, tc.level, codes(&d))
		}
	}
	// Not signed in: the user's risk cannot be judged, so sign in first.
	d := mustCompile(t, strings.Replace(src, "%s", "low", 1)).Evaluate(input(nil, "192.0.2.1"))
	if d.Action == Allow || !d.Unauthenticated() {
		t.Errorf("anonymous: %s", d.Explain())
	}
}

func TestRiskSelectorErrorsAndCEL(t *testing.T) {
	_, err := Compile(parseRules(t, "- action: allow\n  include: [{risk: severe}]\n"), "apps[0].policies")
	if err == nil || !strings.Contains(err.Error(), "not a risk level") {
		t.Errorf("bad level: %v", err)
	}
	p := mustCompile(t, "- action: allow\n  include: [{cel: 'user.risk == \"low\"'}]\n")
	for _, tc := range []struct {
		level risk.Level
		want  bool
	}{{risk.Low, true}, {risk.High, false}} {
		in := input(alice(), "192.0.2.1")
		in.Risk = tc.level
		if d := p.Evaluate(in); (d.Action == Allow) != tc.want {
			t.Errorf("cel user.risk at %s: %s", tc.level, d.Explain())
		}
	}
}
