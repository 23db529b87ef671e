package netlist

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParse parses arbitrary list files. Parse must not panic; when it
// accepts a file, every line that parses on its own must match at both ends
// of its range, and its neighbours outside the range must match only if
// another line covers them.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"# hosting\n203.0.113.0/24   # TEST-NET-3\n198.51.100.7\n2001:db8::/32\n",
		"\ufeff192.0.2.0/25\r\n192.0.2.128/25\r\n",
		"::ffff:192.0.2.0/120\n::ffff:198.51.100.1\n0.0.0.0/0\n::/0\n",
		"10.0.0.1/8\nhosting.example.com\n192.0.2.0/33\nfe80::1%eth0\n010.0.0.1\n",
		"255.255.255.255\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128\n2001:db8:0:8::/65\n",
		"192.0.2.0/24 198.51.100.0/24\nname: hosting\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), `netlist "fuzz": `) {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		s, err := NewSet(l)
		if err != nil {
			t.Fatal(err)
		}
		var prefixes []netip.Prefix
		for i, line := range strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n") {
			p, ok, err := parseLine(line)
			if err != nil {
				t.Fatalf("line %d %q fails alone but the file parsed: %v", i+1, line, err)
			}
			if ok {
				prefixes = append(prefixes, p)
			}
		}
		if len(prefixes) != l.Len() {
			t.Fatalf("%d entries, %d lines with a prefix", l.Len(), len(prefixes))
		}
		covered := func(a netip.Addr) bool {
			a = a.Unmap()
			for _, p := range prefixes {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}
		for _, p := range prefixes {
			first, last := p.Addr(), lastAddr(p)
			for _, a := range []netip.Addr{first, last, first.Prev(), last.Next()} {
				if !a.IsValid() {
					continue
				}
				name, ok := s.Match(a)
				if ok != covered(a) || (ok && name != "fuzz") {
					t.Fatalf("%s (near %s): Match %q %v, covered %v", a, p, name, ok, covered(a))
				}
			}
		}
	})
}
