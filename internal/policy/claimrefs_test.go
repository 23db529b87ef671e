package policy

import (
	"slices"
	"testing"
)

func TestClaimRefs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules string
		want  []string
		all   bool
	}{
		{"none", "- action: allow\n  include: [{email_domain: example.com}]\n", nil, false},
		{"claim selector", "- action: allow\n  include: [{claim: {name: department, values: [research]}}]\n", []string{"department"}, false},
		{"cel select", "- action: allow\n  include: [{cel: 'user.claims.cost_center == \"CC-1\"'}]\n", []string{"cost_center"}, false},
		{"cel index", "- action: allow\n  include: [{cel: 'user.claims[\"employee-id\"] != \"\"'}]\n", []string{"employee-id"}, false},
		{"cel has", "- action: allow\n  include: [{cel: 'has(user.claims.contractor)'}]\n", []string{"contractor"}, false},
		{"several, across rules", "- action: deny\n  include: [{claim: {name: status, values: [suspended]}}]\n" +
			"- action: allow\n  include: [{cel: 'user.claims.level > 2 && user.claims.department == \"x\"'}]\n",
			[]string{"department", "level", "status"}, false},
		{"cel iterates claims", "- action: allow\n  include: [{cel: 'user.claims.exists(k, k == \"admin\")'}]\n", nil, true},
		{"cel computed key", "- action: allow\n  include: [{cel: 'user.claims[user.email] == true'}]\n", nil, true},
		{"cel whole map", "- action: allow\n  include: [{cel: 'size(user.claims) > 3'}]\n", nil, true},
		{"other user fields are not claims", "- action: allow\n  include: [{cel: 'user.email.endsWith(\"@example.com\")'}]\n", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mustCompile(t, tc.rules).Claims()
			if got.All != tc.all || (!tc.all && !slices.Equal(got.Names, tc.want)) {
				t.Fatalf("Claims() = %+v, want names %v all %v", got, tc.want, tc.all)
			}
		})
	}
	a := ClaimRefs{Names: []string{"b", "a"}}.Merge(ClaimRefs{Names: []string{"c", "a"}})
	if !slices.Equal(a.Names, []string{"a", "b", "c"}) || a.All {
		t.Errorf("Merge = %+v", a)
	}
}
