package geoip

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	maxminddb "github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"
)

// FuzzRecord feeds arbitrary data-section bytes to the record decoder: it
// must never panic, and whatever it accepts must be a sound Location.
func FuzzRecord(f *testing.F) {
	for _, seed := range []any{
		dbip("CH", "Zurich", 47.37, 8.54),
		geoip2("DE", "Berlin", 52.52, 13.4),
		kv{{"country_code", "US"}, {"country", kv{{"iso_code", "CA"}}}},
		kv{{"city", []any{"a"}}, {"latitude", "north"}},
		kv{{"location", kv{{"latitude", 91.0}, {"longitude", f32(float32NaN())}}}},
		"just a string",
	} {
		f.Add(encode(nil, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec record
		c := mmdbdata.NewDecoder(data, 0).Cursor()
		if _, err := rec.UnmarshalMaxMindDBCursor(c); err != nil {
			return
		}
		loc, ok, err := rec.location()
		if !ok {
			if loc != (Location{}) {
				t.Fatalf("not ok but %+v (%v)", loc, err)
			}
			return
		}
		if !isCountryCode(loc.Country) || !utf8.ValidString(loc.City) || len(loc.City) > maxCityLen ||
			!(loc.Lat >= -90 && loc.Lat <= 90 && loc.Lon >= -180 && loc.Lon <= 180) {
			t.Fatalf("accepted %+v", loc)
		}
	})
}

// FuzzDatabase opens mutated database files (from memory: files would make
// each run slow) and looks addresses up in them: newFile must reject or
// accept without panicking, and lookups must not panic.
func FuzzDatabase(f *testing.F) {
	f.Add(mustRead(f, writeMMDB(f, 4, "city ipv4", filler(3))))
	f.Add(mustRead(f, writeMMDB(f, 6, "GeoLite2-City", []network{
		{"81.2.69.0/24", geoip2("GB", "London", 51.5, -0.09)},
		{"2a02:ff0::/32", geoip2("DE", "Frankfurt", 50.1, 8.7)},
	})))
	addrs := []netip.Addr{
		netip.MustParseAddr("1.0.1.1"), netip.MustParseAddr("81.2.69.1"),
		netip.MustParseAddr("2a02:ff0::1"), netip.MustParseAddr("255.255.255.254"),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := maxminddb.OpenBytes(data)
		if err != nil {
			return
		}
		file, err := newFile("fuzz.mmdb", r)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "geoip: fuzz.mmdb: ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		db := &DB{}
		db.add(file)
		defer db.Close()
		for _, a := range addrs {
			loc, ok, err := db.LookupErr(a)
			if ok && (err != nil || !isCountryCode(loc.Country)) {
				t.Fatalf("%s: %+v %v %v", a, loc, ok, err)
			}
		}
	})
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
