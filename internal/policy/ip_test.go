package policy

import (
	"testing"
)

func TestIP(t *testing.T) {
	runSelectorCases(t, []selCase{
		{name: "in v4 cidr", sel: `{ip: 10.0.0.0/8}`, id: alice(), ip: "10.1.2.3", want: true},
		{name: "out of v4 cidr", sel: `{ip: 10.0.0.0/8}`, id: alice(), ip: "11.1.2.3", want: false},
		{name: "single address", sel: `{ip: 192.0.2.7}`, id: alice(), ip: "192.0.2.7", want: true},
		{name: "single address miss", sel: `{ip: 192.0.2.7}`, id: alice(), ip: "192.0.2.8", want: false},
		{name: "one of list", sel: `{ip: [172.16.0.0/12, 10.0.0.0/8]}`, id: alice(), ip: "10.9.9.9", want: true},
		{name: "v6 cidr", sel: `{ip: "2001:db8::/32"}`, id: alice(), ip: "2001:db8:1::5", want: true},
		{name: "v6 miss", sel: `{ip: "2001:db8::/32"}`, id: alice(), ip: "2001:db9::5", want: false},
		{name: "mapped client", sel: `{ip: 10.0.0.0/8}`, id: alice(), ip: "::ffff:10.1.2.3", want: true},
		{name: "mapped rule", sel: `{ip: "::ffff:10.0.0.0/104"}`, id: alice(), ip: "10.1.2.3", want: true},
		{name: "mapped rule address", sel: `{ip: "::ffff:10.0.0.1"}`, id: alice(), ip: "10.0.0.1", want: true},
		{name: "v4 rule, v6 client", sel: `{ip: 0.0.0.0/0}`, id: alice(), ip: "2001:db8::1", want: false},
		{name: "zoned client", sel: `{ip: "fe80::/10"}`, id: alice(), ip: "fe80::1%eth0", want: true},
		{name: "no identity needed", sel: `{ip: 10.0.0.0/8}`, id: nil, ip: "10.1.2.3", want: false},
	})
}

func TestParsePrefix(t *testing.T) {
	good := map[string]string{
		"10.0.0.0/8":          "10.0.0.0/8",
		"10.0.0.1":            "10.0.0.1/32",
		"2001:db8::/32":       "2001:db8::/32",
		"2001:db8::1":         "2001:db8::1/128",
		"::ffff:10.0.0.0/104": "10.0.0.0/8",
		"::ffff:0.0.0.0/96":   "0.0.0.0/0",
		"::ffff:10.0.0.1":     "10.0.0.1/32",
	}
	for in, want := range good {
		p, err := parsePrefix(in)
		if err != nil || p.String() != want {
			t.Errorf("parsePrefix(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"10.0.0/8", "10.0.0.1/8", "10.0.0.0/33", "fe80::1%eth0", "::ffff:0:0/95", "example.com", "10.0.0.0/-1", "1.2.3.4/ 8"} {
		if p, err := parsePrefix(in); err == nil {
			t.Errorf("parsePrefix(%q) = %v, want an error", in, p)
		}
	}
}
