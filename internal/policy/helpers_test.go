package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"go.yaml.in/yaml/v3"
)

var testNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// alice is a typical signed-in user; tests copy and adjust her.
func alice() *identity.Identity {
	return &identity.Identity{
		Subject:       "00u1",
		Provider:      "okta",
		Email:         "alice@example.com",
		EmailVerified: true,
		Name:          "Alice",
		Groups:        []string{"eng", "admins"},
		AMR:           []string{"pwd", "mfa"},
		ACR:           "urn:vigil:aal2",
		AuthTime:      testNow.Add(-10 * time.Minute),
		Claims: map[string]any{
			"dept":       "eng",
			"level":      float64(3),
			"roles":      []any{"dev", "ops"},
			"contractor": false,
		},
	}
}

// parseRules reads a YAML rule list as the config file would hold it.
func parseRules(t testing.TB, src string) []config.Rule {
	t.Helper()
	var rules []config.Rule
	if err := yaml.Unmarshal([]byte(src), &rules); err != nil {
		t.Fatalf("yaml: %v\n%s", err, src)
	}
	return rules
}

func mustCompile(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := Compile(parseRules(t, src), "policies")
	if err != nil {
		t.Fatalf("Compile: %v\n%s", err, src)
	}
	return p
}

func input(id *identity.Identity, ip string) *Input {
	in := &Input{Identity: id, Now: testNow}
	if ip != "" {
		in.IP = netip.MustParseAddr(ip)
	}
	return in
}

// codes lists a decision's reason codes, for compact comparisons.
func codes(d *Decision) string {
	var c []string
	for _, r := range d.Reasons() {
		c = append(c, r.Code)
	}
	return strings.Join(c, ",")
}

// selCase checks one selector, used as the only include of an allow rule.
type selCase struct {
	name string
	sel  string // a YAML flow mapping, e.g. `{email: a@example.com}`
	id   *identity.Identity
	ip   string
	want bool
	// reason is the expected reason code when it is not the usual
	// allowed-by / no-include-matched / unauthenticated.
	reason string
}

func runSelectorCases(t *testing.T, cases []selCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompile(t, fmt.Sprintf("- action: allow\n  include: [%s]\n", tc.sel))
			ip := tc.ip
			if ip == "" {
				ip = "192.0.2.1"
			}
			d := p.Evaluate(input(tc.id, ip))
			if got := d.Action == Allow; got != tc.want {
				t.Fatalf("selector %s: allowed=%v, want %v\n%s", tc.sel, got, tc.want, d.Explain())
			}
			want := "no-include-matched"
			switch {
			case tc.want:
				want = "allowed-by:policy-0"
			case tc.id == nil:
				want = "unauthenticated"
			}
			if tc.reason != "" {
				want = tc.reason
			}
			if got := codes(&d); !strings.HasPrefix(got, want) && !strings.Contains(got, ","+want) {
				t.Fatalf("reasons %q, want %q", got, want)
			}
		})
	}
}

// with returns a copy of alice changed by f.
func with(f func(*identity.Identity)) *identity.Identity {
	id := alice()
	f(id)
	return id
}
