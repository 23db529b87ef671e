package netlist

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, in string
		entries  int
		match    []string // addresses that must match
		miss     []string // addresses that must not
	}{
		{
			name:    "comments and blanks",
			in:      "# hosting\n\n203.0.113.0/24   # TEST-NET-3\n\t198.51.100.7\t\n   # indented comment\n2001:db8::/32",
			entries: 3,
			match:   []string{"203.0.113.0", "203.0.113.255", "198.51.100.7", "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
			miss:    []string{"203.0.114.0", "203.0.112.255", "198.51.100.6", "198.51.100.8", "2001:db9::", "2001:db7:ffff::"},
		},
		{
			name:    "CRLF and byte order mark",
			in:      "\ufeff192.0.2.0/25\r\n192.0.2.128/25\r\n",
			entries: 2,
			match:   []string{"192.0.2.1", "192.0.2.200"},
			miss:    []string{"192.0.3.0"},
		},
		{
			name:    "IPv4-mapped entries are IPv4",
			in:      "::ffff:192.0.2.0/120\n::ffff:198.51.100.1",
			entries: 2,
			match:   []string{"192.0.2.9", "::ffff:192.0.2.9", "198.51.100.1"},
			miss:    []string{"::192.0.2.9", "198.51.100.2"},
		},
		{
			name:    "whole spaces",
			in:      "0.0.0.0/0\n::/0",
			entries: 2,
			match:   []string{"0.0.0.0", "255.255.255.255", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:1.2.3.4"},
		},
		{
			name:    "overlapping and adjacent entries",
			in:      "10.0.0.0/8\n10.1.0.0/16\n11.0.0.0/8\n2001:db8::/33\n2001:db8:8000::/33\n2001:db8::1",
			entries: 6,
			match:   []string{"10.255.255.255", "11.0.0.0", "11.255.255.255", "2001:db8:ffff::1", "2001:db8::1"},
			miss:    []string{"9.255.255.255", "12.0.0.0", "2001:db9::"},
		},
		{
			name:    "prefix lengths at 64-bit boundary",
			in:      "2001:db8:0:1::/64\n2001:db8:0:2::/63\n2001:db8:0:8::/65",
			entries: 3,
			match:   []string{"2001:db8:0:1:ffff:ffff:ffff:ffff", "2001:db8:0:3::1", "2001:db8:0:8:7fff::"},
			miss:    []string{"2001:db8:0:4::", "2001:db8:0:8:8000::", "2001:db8::ffff"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse("test", strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if l.Len() != c.entries || l.Name() != "test" {
				t.Errorf("Len %d Name %q, want %d", l.Len(), l.Name(), c.entries)
			}
			s, err := NewSet(l)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range c.match {
				if name, ok := s.Match(netip.MustParseAddr(a)); !ok || name != "test" {
					t.Errorf("%s: no match", a)
				}
			}
			for _, a := range c.miss {
				if name, ok := s.Match(netip.MustParseAddr(a)); ok {
					t.Errorf("%s: matched %q", a, name)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, list, in string
		want           []string
	}{
		{"host bits", "l", "# x\n10.0.0.1/8", []string{`netlist "l": line 2:`, "host bits set (the network is 10.0.0.0/8)"}},
		{"garbage", "l", "192.0.2.0/24\nhosting.example.com\n", []string{"line 2:", "not an IP address"}},
		{"bad prefix", "l", "192.0.2.0/33", []string{"line 1:", "not a CIDR prefix"}},
		{"two fields", "l", "192.0.2.0/24 198.51.100.0/24", []string{"line 1:", `unexpected "198.51.100.0/24"`}},
		{"header is not supported", "l", "name: hosting\n192.0.2.0/24", []string{"line 1:", `unexpected "hosting"`}},
		{"zone", "l", "fe80::1%eth0", []string{"zones are not allowed"}},
		{"leading zeros", "l", "010.0.0.1", []string{"not an IP address"}},
		{"empty", "l", "# nothing\n\n", []string{`netlist "l": no entries`}},
		{"long line", "l", "192.0.2.1\n" + strings.Repeat("1", MaxLineLen+1), []string{"line 2:", "longer than"}},
		{"very long line", "l", strings.Repeat("1", 5000) + "\n192.0.2.1", []string{"line 1:", "longer than"}},
		{"several problems", "l", "x\n192.0.2.0/24\ny\nz", []string{"line 1:", "line 3:", "line 4:"}},
		{"bad name", "no spaces", "192.0.2.1", []string{"may only hold"}},
		{"empty name", "", "192.0.2.1", []string{"1 to 64"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Parse(c.list, strings.NewReader(c.in))
			if err == nil {
				t.Fatalf("parsed: %+v", l)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseErrorLimit(t *testing.T) {
	_, err := Parse("l", strings.NewReader(strings.Repeat("bad\n", 25)))
	if err == nil || !strings.Contains(err.Error(), "line 10:") || strings.Contains(err.Error(), "line 11:") ||
		!strings.Contains(err.Error(), "15 more problems") {
		t.Errorf("error: %v", err)
	}
}

func TestParseEntryLimit(t *testing.T) {
	defer func(n int) { maxEntries = n }(maxEntries)
	maxEntries = 3
	if _, err := Parse("l", strings.NewReader("192.0.2.1\n192.0.2.2\n192.0.2.3\n")); err != nil {
		t.Fatal(err)
	}
	_, err := Parse("l", strings.NewReader("192.0.2.1\n192.0.2.2\n192.0.2.3\n# c\n192.0.2.4\n"))
	if err == nil || !strings.Contains(err.Error(), "line 5: more than 3 entries") {
		t.Errorf("error: %v", err)
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	_, err := Parse("l", io.MultiReader(strings.NewReader("192.0.2.1\n"), failReader{}))
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("error: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(good, []byte("192.0.2.0/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("192.0.2.0/24\n192.0.2.1/24\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, err := Load("good", good); err != nil || l.Len() != 1 {
		t.Errorf("Load good: %v", err)
	}
	if _, err := Load("bad", bad); err == nil || !strings.Contains(err.Error(), bad+":2:") {
		t.Errorf("Load bad: %v (want the path and line)", err)
	}
	if _, err := Load("missing", filepath.Join(dir, "nope.txt")); err == nil || !strings.Contains(err.Error(), "nope.txt") {
		t.Errorf("Load missing: %v", err)
	}
}
