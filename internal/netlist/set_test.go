package netlist

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustParse(t testing.TB, name, in string) *List {
	t.Helper()
	l, err := Parse(name, strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSetPriority(t *testing.T) {
	vpn := mustParse(t, "vpn", "10.1.0.0/16\n2001:db8:1::/48\n10.9.9.9")
	hosting := mustParse(t, "hosting", "10.0.0.0/8\n2001:db8::/32\n172.16.0.0/12")
	s, err := NewSet(vpn, hosting)
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]string{
		"10.0.255.255":      "hosting",
		"10.1.0.0":          "vpn", // inside both: the first list wins
		"10.1.255.255":      "vpn",
		"10.2.0.0":          "hosting",
		"10.9.9.8":          "hosting",
		"10.9.9.9":          "vpn",
		"10.9.9.10":         "hosting",
		"::ffff:10.1.2.3":   "vpn",
		"172.31.255.255":    "hosting",
		"2001:db8:1::5":     "vpn",
		"2001:db8:2::5":     "hosting",
		"2001:db8:0:ffff::": "hosting",
		"172.32.0.0":        "",
		"11.0.0.0":          "",
		"2001:db9::":        "",
		"::a01:203":         "", // ::10.1.2.3 is IPv6, not IPv4
	} {
		got, ok := s.Match(netip.MustParseAddr(ip))
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q %v, want %q", ip, got, ok, want)
		}
	}
	if got := s.Names(); !slices.Equal(got, []string{"vpn", "hosting"}) {
		t.Errorf("Names() = %v", got)
	}
	if _, err := NewSet(vpn, vpn); err == nil {
		t.Error("duplicate names accepted")
	}
	if _, err := NewSet(vpn, nil); err == nil {
		t.Error("nil list accepted")
	}
}

func TestNilAndEmptySet(t *testing.T) {
	var s *Set
	if _, ok := s.Match(netip.MustParseAddr("192.0.2.1")); ok {
		t.Error("nil Set matched")
	}
	if s.Names() != nil {
		t.Error("nil Set has names")
	}
	empty, err := NewSet()
	if err != nil {
		t.Fatal(err)
	}
	only6, _ := NewSet(mustParse(t, "six", "2001:db8::/32"))
	for _, set := range []*Set{empty, only6} {
		for _, ip := range []netip.Addr{{}, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::1")} {
			if _, ok := set.Match(ip); ok {
				t.Errorf("%v matched", ip)
			}
		}
	}
}

// TestSetAgainstBruteForce compares Match with a plain scan over every
// prefix of every list, on random overlapping lists (fixed seed).
func TestSetAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 30 {
		var lists []*List
		var prefixes [][]netip.Prefix
		for i := range 1 + rng.IntN(4) {
			var b strings.Builder
			var ps []netip.Prefix
			for range 1 + rng.IntN(40) {
				p := randomPrefix(rng)
				ps = append(ps, p)
				b.WriteString(p.String() + "\n")
			}
			lists = append(lists, mustParse(t, string(rune('a'+i)), b.String()))
			prefixes = append(prefixes, ps)
		}
		s, err := NewSet(lists...)
		if err != nil {
			t.Fatal(err)
		}
		// Query near every boundary and at random.
		var queries []netip.Addr
		for _, ps := range prefixes {
			for _, p := range ps {
				first, last := p.Addr(), lastAddr(p)
				queries = append(queries, first, last, first.Prev(), last.Next())
			}
		}
		for range 200 {
			queries = append(queries, randomPrefix(rng).Addr())
		}
		for _, q := range queries {
			if !q.IsValid() {
				continue
			}
			want := ""
		lists:
			for i, ps := range prefixes {
				for _, p := range ps {
					if p.Contains(q) {
						want = lists[i].Name()
						break lists
					}
				}
			}
			got, ok := s.Match(q)
			if got != want || ok != (want != "") {
				t.Fatalf("round %d: %s: got %q, want %q", round, q, got, want)
			}
		}
	}
}

// randomPrefix returns a masked prefix in a small corner of the address
// space (so that lists overlap), IPv4 or IPv6, including edge lengths.
func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(2) == 0 {
		a := [4]byte{byte(rng.IntN(4)) * 85, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}
		p, _ := netip.AddrFrom4(a).Prefix(rng.IntN(33))
		return p
	}
	var a [16]byte
	a[0] = byte(rng.IntN(4)) * 85
	for i := 1; i < 16; i++ {
		a[i] = byte(rng.IntN(256))
	}
	a[7] &= 0x03 // keep many prefixes near each other around the /64 boundary
	p, _ := netip.AddrFrom16(a).Prefix(rng.IntN(129))
	return p
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().AsSlice()
	for i := p.Bits(); i < len(a)*8; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	out, _ := netip.AddrFromSlice(a)
	return out
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.txt", "192.0.2.0/24\n")
	b := write("b.txt", "192.0.2.0/25\n198.51.100.0/24\n")
	s, err := LoadSet(map[string]string{"zz-hosting": a, "aa-vpn": b})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]string{"192.0.2.1": "aa-vpn", "192.0.2.200": "zz-hosting", "198.51.100.1": "aa-vpn"} {
		if got, _ := s.Match(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %q, want %q", ip, got, want)
		}
	}
	bad1 := write("bad1.txt", "nope\n")
	_, err = LoadSet(map[string]string{"one": bad1, "two": filepath.Join(dir, "missing.txt"), "ok": a})
	if err == nil || !strings.Contains(err.Error(), "bad1.txt:1:") || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("LoadSet errors: %v (want both files' problems)", err)
	}
}

// TestSampleList keeps examples/networks/hosting-sample.txt valid.
func TestSampleList(t *testing.T) {
	s, err := LoadSet(map[string]string{"hosting": filepath.Join("..", "..", "examples", "networks", "hosting-sample.txt")})
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{
		"203.0.113.7": true, "2001:db8::7": true, "104.16.1.1": true, "2606:4700::1111": true,
		"8.8.8.8": false, "10.0.0.1": false, "2001:4860::8888": false,
	} {
		if _, ok := s.Match(netip.MustParseAddr(ip)); ok != want {
			t.Errorf("%s: matched %v, want %v", ip, ok, want)
		}
	}
}

func TestCompaction(t *testing.T) {
	// Adjacent and nested entries become one range, so Match searches less.
	l := mustParse(t, "l", "10.0.0.0/9\n10.128.0.0/9\n10.7.0.0/16\n255.255.255.255\n255.255.255.254\n"+
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n2001:db8::/64\n2001:db8:0:1::/64")
	if len(l.v4) != 2 || len(l.v6) != 2 {
		t.Errorf("ranges: v4 %v, v6 %v", l.v4, l.v6)
	}
	s, _ := NewSet(l, mustParse(t, "m", "11.0.0.0/8\n10.0.0.0/8"))
	if len(s.v4lo) != 3 { // 10/8 (l), 11/8 (m), 255.255.255.254/31 (l)
		t.Errorf("set ranges: %v %v %v", s.v4lo, s.v4hi, s.v4id)
	}
	for ip, want := range map[string]string{"10.255.255.255": "l", "11.0.0.0": "m", "255.255.255.255": "l", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff": "l"} {
		if got, _ := s.Match(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %q, want %q", ip, got, want)
		}
	}
}
