package geoip

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func mustOpen(t *testing.T, paths ...string) *DB {
	t.Helper()
	db, err := Open(paths...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type lookupCase struct {
	ip   string
	want Location
	ok   bool
}

func runLookups(t *testing.T, db *DB, cases []lookupCase) {
	t.Helper()
	for _, c := range cases {
		got, ok, err := db.LookupErr(netip.MustParseAddr(c.ip))
		if err != nil {
			t.Errorf("%s: %v", c.ip, err)
			continue
		}
		if ok != c.ok || got != c.want {
			t.Errorf("%s: got %+v %v, want %+v %v", c.ip, got, ok, c.want, c.ok)
		}
	}
}

func TestLookupSeparateFiles(t *testing.T) {
	v4 := writeMMDB(t, 4, "city ipv4", slices.Concat(filler(1), []network{
		{"81.2.69.0/24", dbip("GB", "London", 51.5, -0.125)},
		{"129.132.0.0/16", dbip("CH", "Zurich", 47.375, 8.5)},
	}))
	// DB-IP's IPv6 file has nothing at ::/96: IPv4 must not be asked there.
	v6 := writeMMDB(t, 6, "city ipv6", []network{
		{"2001:620::/29", dbip("CH", "Bern", 46.875, 7.5)},
		{"2a00::/16", dbip("DE", "", 50, 8.5)},
	})
	db := mustOpen(t, v4, v6)

	zurich := Location{"CH", "Zurich", 47.375, 8.5}
	runLookups(t, db, []lookupCase{
		{"129.132.1.2", zurich, true},
		{"::ffff:129.132.1.2", zurich, true}, // IPv4-mapped is IPv4
		{"81.2.69.142", Location{"GB", "London", 51.5, -0.125}, true},
		{"2001:620::1", Location{"CH", "Bern", 46.875, 7.5}, true},
		{"2a00:1450::1", Location{"DE", "", 50, 8.5}, true}, // no city is still a location
		{"8.8.8.8", Location{}, false},                      // not covered
		{"2600::1", Location{}, false},
		{"10.1.2.3", Location{}, false}, // private and special addresses are never looked up
		{"192.168.0.1", Location{}, false},
		{"127.0.0.1", Location{}, false},
		{"::1", Location{}, false},
		{"fe80::1", Location{}, false},
		{"fd00::1", Location{}, false},
		{"224.0.0.1", Location{}, false},
		{"0.0.0.0", Location{}, false},
	})
	if _, ok := db.Lookup(netip.Addr{}); ok {
		t.Error("zero Addr found")
	}
	if loc, ok := db.Lookup(netip.MustParseAddr("2001:620::1%eth0")); !ok || loc.Country != "CH" {
		t.Errorf("zoned address: %+v %v", loc, ok)
	}

	info := db.Info()
	if len(info) != 2 || !info[0].IPv4 || info[0].IPv6 || info[1].IPv4 || !info[1].IPv6 {
		t.Errorf("Info families: %+v", info)
	}
	if info[0].Type != "city ipv4" || info[0].Built.Year() != 2026 || info[0].Nodes == 0 {
		t.Errorf("Info metadata: %+v", info[0])
	}
	if s := info[1].String(); !strings.Contains(s, "city ipv6") || !strings.HasSuffix(s, "IPv6") {
		t.Errorf("FileInfo.String() = %q", s)
	}
}

func TestLookupCombinedGeoIP2Layout(t *testing.T) {
	path := writeMMDB(t, 6, "GeoLite2-City", []network{
		{"81.2.69.0/24", geoip2("GB", "London", 51.5142, -0.0931)},
		{"2a02:ff0::/32", geoip2("DE", "Frankfurt am Main", 50.1188, 8.6843)},
		// A country-level record without a location is not usable.
		{"89.160.20.0/24", kv{{"country", kv{{"iso_code", "SE"}}}}},
	})
	db := mustOpen(t, path)
	runLookups(t, db, []lookupCase{
		{"81.2.69.160", Location{"GB", "London", 51.5142, -0.0931}, true},
		{"2a02:ff0::1", Location{"DE", "Frankfurt am Main", 50.1188, 8.6843}, true},
		{"89.160.20.1", Location{}, false},
	})
	if info := db.Info(); !info[0].IPv4 || !info[0].IPv6 || !strings.HasSuffix(info[0].String(), "IPv4+IPv6") {
		t.Errorf("Info: %+v", info)
	}
}

func TestLookupFileOrder(t *testing.T) {
	first := writeMMDB(t, 4, "first", slices.Concat(filler(1), []network{
		{"5.0.0.0/8", dbip("NL", "Amsterdam", 52.37, 4.89)},
		{"6.0.0.0/8", kv{{"country_code", "FR"}}}, // no coordinates: ask the next file
	}))
	second := writeMMDB(t, 4, "second", slices.Concat(filler(1), []network{
		{"5.0.0.0/8", dbip("BE", "Brussels", 50.85, 4.35)},
		{"6.0.0.0/8", dbip("FR", "Paris", 48.86, 2.35)},
		{"7.0.0.0/8", dbip("ES", "Madrid", 40.42, -3.7)},
	}))
	db := mustOpen(t, first, second)
	for ip, want := range map[string]string{"5.1.1.1": "Amsterdam", "6.1.1.1": "Paris", "7.1.1.1": "Madrid"} {
		if loc, ok := db.Lookup(netip.MustParseAddr(ip)); !ok || loc.City != want {
			t.Errorf("%s: %+v %v, want %s", ip, loc, ok, want)
		}
	}
}

func TestLookupMalformedRecords(t *testing.T) {
	long := strings.Repeat("x", maxCityLen+1)
	wide := kv{}
	for i := range maxMapEntries + 1 {
		wide = append(wide, pair{string(rune('a'+i%26)) + strings.Repeat("k", i/26), ""})
	}
	bad := []struct {
		prefix, why string
		data        any
	}{
		{"20.0.0.0/8", "three-letter country", dbip("USA", "X", 1, 1)},
		{"21.0.0.0/8", "lower-case country", dbip("us", "X", 1, 1)},
		{"22.0.0.0/8", "latitude out of range", dbip("US", "X", 91, 1)},
		{"23.0.0.0/8", "longitude out of range", dbip("US", "X", 1, -181)},
		{"24.0.0.0/8", "country is a number", kv{{"country_code", u32(840)}, {"latitude", 1.0}, {"longitude", 1.0}}},
		{"25.0.0.0/8", "duplicate country", kv{{"country_code", "US"}, {"country", kv{{"iso_code", "CA"}}}, {"latitude", 1.0}, {"longitude", 1.0}}},
		{"26.0.0.0/8", "city too long", dbip("US", long, 1, 1)},
		{"27.0.0.0/8", "city not UTF-8", dbip("US", "\xff\xfe", 1, 1)},
		{"28.0.0.0/8", "map too wide", wide},
		{"29.0.0.0/8", "record not a map", "just a string"},
		{"30.0.0.0/8", "city is a list", kv{{"city", []any{"a"}}, {"country_code", "US"}}},
		{"31.0.0.0/8", "latitude is a string", kv{{"country_code", "US"}, {"latitude", "north"}, {"longitude", 1.0}}},
		{"32.0.0.0/8", "NaN latitude", kv{{"country_code", "US"}, {"latitude", f32(float32NaN())}, {"longitude", 1.0}}},
		{"33.0.0.0/8", "truncated string", kv{{"country_code", raw{0x5f}}}}, // string of 31+ bytes with no size bytes
	}
	nets := filler(samples)
	for _, b := range bad {
		nets = append(nets, network{b.prefix, b.data})
	}
	db := mustOpen(t, writeMMDB(t, 4, "city ipv4", nets))
	for _, b := range bad {
		ip := netip.MustParsePrefix(b.prefix).Addr().Next()
		loc, ok, err := db.LookupErr(ip)
		if err == nil || ok || loc != (Location{}) {
			t.Errorf("%s: got %+v %v %v, want an error", b.why, loc, ok, err)
		}
		if _, ok := db.Lookup(ip); ok {
			t.Errorf("%s: Lookup ok", b.why)
		}
	}
}

func float32NaN() float32 {
	var zero float32
	return zero / zero
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := writeMMDB(t, 4, "good", filler(1))
	asn := writeMMDB(t, 4, "GeoLite2-ASN", []network{
		{"1.0.0.0/24", kv{{"autonomous_system_number", u32(13335)}, {"autonomous_system_organization", "Cloudflare"}}},
	})
	badFirst := writeMMDB(t, 4, "bad-first", []network{{"1.0.0.0/24", dbip("Germany", "Berlin", 52, 13)}})
	empty := writeMMDB(t, 6, "empty", []network{{"fc00::/8", dbip("DE", "Berlin", 52, 13)}}) // data only outside what is probed
	for _, c := range []struct {
		name  string
		paths []string
		want  string
	}{
		{"none", nil, "no database file given"},
		{"missing", []string{good, filepath.Join(dir, "nope.mmdb")}, "nope.mmdb"},
		{"garbage", []string{garbage}, "garbage.mmdb"},
		{"not a city database", []string{asn}, "is it a City database"},
		{"malformed early record", []string{badFirst}, "not two capital letters"},
		{"no data", []string{empty}, "no networks with data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(c.paths...)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestClose(t *testing.T) {
	db, err := Open(writeMMDB(t, 4, "city ipv4", filler(4)))
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("1.0.2.1")
	// Lookups racing Close either succeed or see ErrClosed, never touch
	// unmapped memory (the race detector and a crash would tell).
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			<-start
			for range 2000 {
				loc, ok, err := db.LookupErr(ip)
				if err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("lookup: %v", err)
					return
				}
				if err == nil && (!ok || loc.Country != "AU") {
					t.Errorf("lookup: %+v %v", loc, ok)
					return
				}
			}
		})
	}
	close(start)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, _, err := db.LookupErr(ip); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
