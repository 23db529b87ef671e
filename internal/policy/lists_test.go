package policy

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestProvider(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "configured name", sel: `{provider: okta}`, id: alice(), want: true},
		{name: "one of list", sel: `{provider: [google, okta]}`, id: alice(), want: true},
		{name: "other provider", sel: `{provider: google}`, id: alice(), want: false},
		{name: "case-sensitive", sel: `{provider: Okta}`, id: alice(), want: false},
		{name: "no provider", sel: `{provider: okta}`, id: with(func(i *identity.Identity) { i.Provider = "" }), want: false},
		{name: "not signed in", sel: `{provider: okta}`, id: nil, want: false},
	})
}

func TestGroup(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "member", sel: `{group: admins}`, id: alice(), want: true},
		{name: "one of list", sel: `{group: [sales, eng]}`, id: alice(), want: true},
		{name: "not member", sel: `{group: sales}`, id: alice(), want: false},
		{name: "exact, not case-insensitive", sel: `{group: Admins}`, id: alice(), want: false},
		{name: "exact, not prefix", sel: `{group: admin}`, id: alice(), want: false},
		{name: "no groups", sel: `{group: eng}`, id: with(func(i *identity.Identity) { i.Groups = nil }), want: false},
		{name: "big list", sel: `{group: [g1, g2, g3, g4, g5, g6, g7, g8, g9, admins]}`, id: alice(), want: true},
		{name: "big list miss", sel: `{group: [g1, g2, g3, g4, g5, g6, g7, g8, g9, g10]}`, id: alice(), want: false},
		{name: "not signed in", sel: `{group: eng}`, id: nil, want: false},
	})
}

func TestAMR(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "present", sel: `{amr: mfa}`, id: alice(), want: true},
		{name: "any of list", sel: `{amr: [hwk, pwd]}`, id: alice(), want: true},
		{name: "absent", sel: `{amr: hwk}`, id: alice(), want: false},
		{name: "no amr", sel: `{amr: pwd}`, id: with(func(i *identity.Identity) { i.AMR = nil }), want: false},
		{name: "not signed in", sel: `{amr: pwd}`, id: nil, want: false},
	})
}
