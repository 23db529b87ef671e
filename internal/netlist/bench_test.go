package netlist

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// benchSet is three lists with 10,000 prefixes in all, IPv4 and IPv6, with
// lengths like real hosting lists (/12 to /32 and /29 to /64).
func benchSet(b *testing.B) (*Set, []netip.Addr) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	var lists []*List
	var queries []netip.Addr
	for i, n := range []int{6000, 3000, 1000} {
		var sb strings.Builder
		for range n {
			var p netip.Prefix
			if rng.IntN(3) > 0 {
				a := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
				p, _ = a.Prefix(12 + rng.IntN(21))
			} else {
				var a [16]byte
				a[0] = 0x20
				for j := 1; j < 16; j++ {
					a[j] = byte(rng.Uint32())
				}
				p, _ = netip.AddrFrom16(a).Prefix(29 + rng.IntN(36))
			}
			sb.WriteString(p.String() + "\n")
			queries = append(queries, p.Addr()) // a hit
		}
		lists = append(lists, mustParse(b, []string{"hosting", "vpn", "tor"}[i], sb.String()))
	}
	s, err := NewSet(lists...)
	if err != nil {
		b.Fatal(err)
	}
	for range 10000 { // and as many random addresses, mostly misses
		queries = append(queries, netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}))
	}
	rng.Shuffle(len(queries), func(i, j int) { queries[i], queries[j] = queries[j], queries[i] })
	return s, queries
}

func BenchmarkMatch(b *testing.B) {
	s, queries := benchSet(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.Match(queries[i%len(queries)])
		i++
	}
}

func BenchmarkMatchParallel(b *testing.B) {
	s, queries := benchSet(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Match(queries[i%len(queries)])
			i++
		}
	})
}

func BenchmarkParse10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	var sb strings.Builder
	for range 10000 {
		a := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		p, _ := a.Prefix(12 + rng.IntN(21))
		sb.WriteString(p.String() + "   # comment\n")
	}
	in := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bench", strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
