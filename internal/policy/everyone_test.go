package policy

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/identity"
)

func TestEveryone(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "signed in", sel: `{everyone: true}`, id: alice(), want: true},
		{name: "bare identity", sel: `{everyone: true}`, id: with(func(i *identity.Identity) { *i = identity.Identity{} }), want: true},
		{name: "not signed in", sel: `{everyone: true}`, id: nil, want: false},
	})
}
