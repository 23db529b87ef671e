package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"go.yaml.in/yaml/v3"
)

// FuzzPolicy feeds policy files through the YAML decoder and Compile, and
// evaluates whatever compiles for a few users. It must never panic, and
// some properties hold for every policy.
func FuzzPolicy(f *testing.F) {
	f.Add(benchPolicy)
	for _, c := range ruleCases {
		f.Add(c.policy)
	}
	for _, c := range compileErrorCases {
		f.Add(c.policy)
	}
	odd := &identity.Identity{
		Email:  "@",
		Groups: []string{""},
		Claims: map[string]any{"x": []any{nil, map[string]any{}, 1e308, true}, "n": nil, "s": []string{}},
	}
	ids := []*identity.Identity{nil, alice(), bob(), odd, {}}
	ips := []netip.Addr{{}, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("::ffff:192.0.2.1"), netip.MustParseAddr("2001:db8::1")}
	f.Fuzz(func(t *testing.T, src string) {
		var rules []config.Rule
		if yaml.Unmarshal([]byte(src), &rules) != nil {
			return
		}
		p, err := Compile(rules, "policies")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "policies[") {
					t.Fatalf("error without its path: %q", line)
				}
			}
			return
		}
		for _, id := range ids {
			for _, ip := range ips {
				d := p.Evaluate(&Input{Identity: id, IP: ip, Now: time.Unix(1700000000, 0)})
				if len(d.Reasons()) == 0 {
					t.Fatalf("decision without reasons: %+v", d)
				}
				if d.Allowed() && d.Rule == "" {
					t.Fatalf("allowed by no rule:\n%s", d.Explain())
				}
				if id == nil && d.Action == Allow {
					t.Fatalf("allowed without identity:\n%s", d.Explain())
				}
				if !ip.IsValid() && d.Allowed() && p.usesIP {
					t.Fatalf("allowed without client address under address rules:\n%s", d.Explain())
				}
				_ = d.Explain()
			}
		}
	})
}
