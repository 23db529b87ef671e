package geoip

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/vigil-gw/vigil/internal/geoip/geoiptest"
)

// realDB opens the DB-IP files fetched by scripts/fetch-geoip.sh (see
// geoiptest.Files).
func realDB(tb testing.TB) *DB {
	tb.Helper()
	paths := geoiptest.Files(tb)
	db, err := Open(paths...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// box is a rough bounding box of a country (mainland), so a test checks the
// coordinates as well as the code without depending on which city DB-IP names.
type box struct{ latMin, latMax, lonMin, lonMax float64 }

var boxes = map[string]box{
	"US": {24.5, 49.5, -125, -66.9},
	"CH": {45.8, 47.9, 5.9, 10.6},
	"GB": {49.8, 60.9, -8.7, 1.8},
	"SE": {55, 69.1, 10.9, 24.2},
	"BE": {49.5, 51.6, 2.5, 6.5},
	"DE": {47.2, 55.1, 5.8, 15.1},
	"NL": {50.7, 53.6, 3.3, 7.3},
}

func TestRealDatabase(t *testing.T) {
	db := realDB(t)
	info := db.Info()
	if len(info) != 2 || !info[0].IPv4 || !info[1].IPv6 || info[0].Nodes < 1_000_000 {
		t.Errorf("Info: %v", info)
	}
	for _, f := range info {
		t.Log(f)
	}
	// Ranges whose holders and countries have been stable for decades:
	// Google's resolver, universities and national research networks.
	for _, c := range []struct{ ip, country string }{
		{"8.8.8.8", "US"},            // Google Public DNS
		{"129.132.0.1", "CH"},        // ETH Zurich
		{"131.111.8.1", "GB"},        // University of Cambridge
		{"::ffff:131.111.8.1", "GB"}, // the same, IPv4-mapped
		{"130.237.1.1", "SE"},        // KTH Royal Institute of Technology
		{"134.58.1.1", "BE"},         // KU Leuven
		{"145.100.0.1", "NL"},        // SURF
		{"2001:620::1", "CH"},        // SWITCH
		{"2001:638::1", "DE"},        // DFN
		{"2001:630::1", "GB"},        // Jisc (JANET)
	} {
		loc, ok, err := db.LookupErr(netip.MustParseAddr(c.ip))
		if err != nil || !ok || loc.Country != c.country {
			t.Errorf("%s: %+v %v %v, want %s", c.ip, loc, ok, err, c.country)
			continue
		}
		b := boxes[c.country]
		if loc.Lat < b.latMin || loc.Lat > b.latMax || loc.Lon < b.lonMin || loc.Lon > b.lonMax {
			t.Errorf("%s: %v,%v is outside %s", c.ip, loc.Lat, loc.Lon, c.country)
		}
	}
	for _, ip := range []string{
		"10.0.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "::1", "fe80::1",
		"192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1", // documentation ranges
	} {
		if loc, ok, err := db.LookupErr(netip.MustParseAddr(ip)); ok || err != nil {
			t.Errorf("%s: %+v %v %v, want not found", ip, loc, ok, err)
		}
	}
}

// TestRealDatabaseSweep reads records from all over both files: every one
// must decode cleanly (no error), since a malformed record is a lookup error.
func TestRealDatabaseSweep(t *testing.T) {
	db := realDB(t)
	rng := rand.New(rand.NewPCG(1, 2))
	found := 0
	const n = 20000
	for _, ip := range randomAddrs(rng, n) {
		_, ok, err := db.LookupErr(ip)
		if err != nil {
			t.Fatalf("%s: %v", ip, err)
		}
		if ok {
			found++
		}
	}
	// Most of the IPv4 space and the allocated IPv6 space are covered.
	if found < n/4 {
		t.Errorf("only %d of %d random public addresses found", found, n)
	}
}

// randomAddrs returns n addresses, half IPv4 and half IPv6 in 2000::/4
// (where almost all allocations are).
func randomAddrs(rng *rand.Rand, n int) []netip.Addr {
	out := make([]netip.Addr, 0, n)
	for i := range n {
		if i%2 == 0 {
			var a [4]byte
			for j := range a {
				a[j] = byte(rng.Uint32())
			}
			out = append(out, netip.AddrFrom4(a))
			continue
		}
		var a [16]byte
		for j := range a {
			a[j] = byte(rng.Uint32())
		}
		a[0] = 0x20 | a[0]&0x0f
		a[1] &= 0x0f // 2000::/12: the RIRs' most used blocks
		out = append(out, netip.AddrFrom16(a))
	}
	return out
}

func BenchmarkLookup(b *testing.B) {
	db := realDB(b)
	rng := rand.New(rand.NewPCG(3, 4))
	random := randomAddrs(rng, 4096)
	for _, bc := range []struct {
		name  string
		addrs []netip.Addr
	}{
		{"v4-hit", []netip.Addr{netip.MustParseAddr("129.132.0.1")}},
		{"v6-hit", []netip.Addr{netip.MustParseAddr("2001:620::1")}},
		{"private", []netip.Addr{netip.MustParseAddr("10.1.2.3")}},
		{"random-mix", random},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				db.Lookup(bc.addrs[i%len(bc.addrs)])
				i++
			}
		})
	}
	b.Run("random-mix-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				db.Lookup(random[i%len(random)])
				i++
			}
		})
	})
}

// BenchmarkOpenReal measures start-up: mapping both files and sampling them.
func BenchmarkOpenReal(b *testing.B) {
	db := realDB(b)
	var paths []string
	for _, f := range db.Info() {
		paths = append(paths, f.Path)
	}
	for b.Loop() {
		db, err := Open(paths...)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}
