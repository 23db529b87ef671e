package policy

import (
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
)

func TestEmail(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "exact", sel: `{email: alice@example.com}`, id: alice(), want: true},
		{name: "one of list", sel: `{email: [bob@example.com, alice@example.com]}`, id: alice(), want: true},
		{name: "config upper case", sel: `{email: Alice@Example.COM}`, id: alice(), want: true},
		{name: "identity upper case", sel: `{email: alice@example.com}`, id: with(func(i *identity.Identity) { i.Email = "ALICE@example.com" }), want: true},
		{name: "other user", sel: `{email: bob@example.com}`, id: alice(), want: false},
		{name: "prefix is not enough", sel: `{email: alice@example.co}`, id: alice(), want: false},
		{name: "no email", sel: `{email: alice@example.com}`, id: with(func(i *identity.Identity) { i.Email = "" }), want: false},
		{name: "not signed in", sel: `{email: alice@example.com}`, id: nil, want: false},
		{name: "big list uses map", sel: `{email: [a@x.io, b@x.io, c@x.io, d@x.io, e@x.io, f@x.io, g@x.io, h@x.io, i@x.io, Alice@example.com]}`, id: alice(), want: true},
		{name: "big list, identity upper case", sel: `{email: [a@x.io, b@x.io, c@x.io, d@x.io, e@x.io, f@x.io, g@x.io, h@x.io, i@x.io, alice@example.com]}`, id: with(func(i *identity.Identity) { i.Email = "Alice@Example.com" }), want: true},
		{name: "big list miss", sel: `{email: [a@x.io, b@x.io, c@x.io, d@x.io, e@x.io, f@x.io, g@x.io, h@x.io, i@x.io, j@x.io]}`, id: alice(), want: false},
	})
}

func TestEmailDomain(t *testing.T) {
	at := func(e string) *identity.Identity { return with(func(i *identity.Identity) { i.Email = e }) }
	runSelectorCases(t, []selCase{
		{name: "domain", sel: `{email_domain: example.com}`, id: alice(), want: true},
		{name: "case-insensitive", sel: `{email_domain: EXAMPLE.com}`, id: at("a@Example.COM"), want: true},
		{name: "one of list", sel: `{email_domain: [corp.io, example.com]}`, id: alice(), want: true},
		{name: "lookalike suffix", sel: `{email_domain: example.com}`, id: at("a@evil-example.com"), want: false},
		{name: "subdomain", sel: `{email_domain: example.com}`, id: at("a@sub.example.com"), want: false},
		{name: "parent domain", sel: `{email_domain: sub.example.com}`, id: at("a@example.com"), want: false},
		{name: "domain in local part", sel: `{email_domain: example.com}`, id: at("example.com@evil.io"), want: false},
		{name: "quoted at in local part", sel: `{email_domain: example.com}`, id: at(`"a@example.com"@evil.io`), want: false},
		{name: "trailing at", sel: `{email_domain: example.com}`, id: at("a@example.com@"), want: false},
		{name: "bare domain", sel: `{email_domain: example.com}`, id: at("example.com"), want: false},
		{name: "no email", sel: `{email_domain: example.com}`, id: at(""), want: false},
		{name: "not signed in", sel: `{email_domain: example.com}`, id: nil, want: false},
	})
}

func TestCheckDomain(t *testing.T) {
	for _, d := range []string{"example.com", "a-b.example.co.uk", "xn--bcher-kva.example", "EXAMPLE.COM"} {
		if err := checkDomain(d); err != nil {
			t.Errorf("checkDomain(%q) = %v, want nil", d, err)
		}
	}
	for _, d := range []string{"", "@example.com", "*.example.com", "localhost", "example..com", ".example.com",
		"example.com.", "-a.example.com", "a-.example.com", "exa mple.com", "bücher.example", "a_b.example.com"} {
		if err := checkDomain(d); err == nil {
			t.Errorf("checkDomain(%q) = nil, want an error", d)
		}
	}
}

// TestUnverifiedEmailNeverMatches: an address the provider did not verify
// could be anyone's, so neither email selector may match it.
func TestUnverifiedEmailNeverMatches(t *testing.T) {
	for _, sel := range []config.Selector{
		{Email: config.StringList{"alice@example.com"}},
		{EmailDomain: config.StringList{"example.com"}},
	} {
		p, err := Compile([]config.Rule{{Name: "r", Action: "allow", Include: []config.Selector{sel}}}, "p")
		if err != nil {
			t.Fatal(err)
		}
		id := alice()
		id.EmailVerified = false
		if d := p.Evaluate(input(id, "10.0.0.1")); d.Allowed() {
			t.Errorf("%+v matched an unverified email", sel)
		}
	}
}
