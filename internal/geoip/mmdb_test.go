package geoip

import (
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	maxminddb "github.com/oschwald/maxminddb-golang/v2"
)

// This file writes small MaxMind DB files for tests, following the format
// specification (https://maxmind.github.io/MaxMind-DB/), so the lookup logic
// is tested without the real database and with records no real database has.

// Typed values for the data section; Go's plain types choose the common ones.
type (
	u16  uint16
	u32  uint32
	u64  uint64
	f32  float32
	raw  []byte // emitted as is, to craft malformed data
	pair struct {
		k string
		v any
	}
	kv []pair // a map, in this key order
)

type network struct {
	prefix string
	data   any
}

// writeMMDB writes a database with 24-bit records to a temporary file and
// returns its path. ipVersion 6 puts IPv4 prefixes at ::/96 as the format
// says. Prefixes must not overlap.
func writeMMDB(t testing.TB, ipVersion int, dbType string, nets []network) string {
	t.Helper()
	type node struct{ rec [2]int } // 0 empty, >0 node index, <0 -(data index+1)
	nodes := []node{{}}
	for i, n := range nets {
		p := netip.MustParsePrefix(n.prefix)
		var addr []byte
		bits := p.Bits()
		switch {
		case ipVersion == 4:
			a := p.Addr().As4()
			addr = a[:]
		case p.Addr().Is4():
			a := netip.AddrFrom16([16]byte{}).As16()
			v4 := p.Addr().As4()
			copy(a[12:], v4[:])
			addr, bits = a[:], bits+96
		default:
			a := p.Addr().As16()
			addr = a[:]
		}
		cur := 0
		for d := range bits {
			b := addr[d/8] >> (7 - d%8) & 1
			r := nodes[cur].rec[b]
			if d == bits-1 {
				if r != 0 {
					t.Fatalf("writeMMDB: %s overlaps", n.prefix)
				}
				nodes[cur].rec[b] = -(i + 1)
				break
			}
			if r < 0 {
				t.Fatalf("writeMMDB: %s overlaps", n.prefix)
			}
			if r == 0 {
				nodes = append(nodes, node{})
				r = len(nodes) - 1
				nodes[cur].rec[b] = r
			}
			cur = r
		}
	}

	var data []byte
	offsets := make([]int, len(nets))
	for i, n := range nets {
		offsets[i] = len(data)
		data = encode(data, n.data)
	}
	count := len(nodes)
	var out []byte
	for _, n := range nodes {
		for _, r := range n.rec {
			v := count // empty
			if r > 0 {
				v = r
			} else if r < 0 {
				v = count + 16 + offsets[-r-1]
			}
			out = append(out, byte(v>>16), byte(v>>8), byte(v))
		}
	}
	out = append(out, make([]byte, 16)...)
	out = append(out, data...)
	out = append(out, "\xab\xcd\xefMaxMind.com"...)
	out = encode(out, kv{
		{"binary_format_major_version", u16(2)},
		{"binary_format_minor_version", u16(0)},
		{"build_epoch", u64(1780666922)},
		{"database_type", dbType},
		{"description", kv{{"en", "test database"}}},
		{"ip_version", u16(ipVersion)},
		{"languages", []any{"en"}},
		{"node_count", u32(count)},
		{"record_size", u16(24)},
	})
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ctrl appends a control byte (and extended type and size bytes).
func ctrl(b []byte, typ, size int) []byte {
	first := byte(typ << 5)
	var ext []byte
	if typ > 7 {
		first, ext = 0, []byte{byte(typ - 7)}
	}
	switch {
	case size < 29:
		return append(append(b, first|byte(size)), ext...)
	case size < 285:
		return append(append(b, first|29), append(ext, byte(size-29))...)
	case size < 65821:
		return append(append(b, first|30), append(ext, byte((size-285)>>8), byte(size-285))...)
	default:
		s := size - 65821
		return append(append(b, first|31), append(ext, byte(s>>16), byte(s>>8), byte(s))...)
	}
}

func uintBytes(v uint64) []byte {
	var a [8]byte
	binary.BigEndian.PutUint64(a[:], v)
	i := 0
	for i < 8 && a[i] == 0 {
		i++
	}
	return a[i:]
}

func encode(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return append(ctrl(b, 2, len(v)), v...)
	case float64:
		return binary.BigEndian.AppendUint64(ctrl(b, 3, 8), math.Float64bits(v))
	case f32:
		return binary.BigEndian.AppendUint32(ctrl(b, 15, 4), math.Float32bits(float32(v)))
	case u16:
		x := uintBytes(uint64(v))
		return append(ctrl(b, 5, len(x)), x...)
	case u32:
		x := uintBytes(uint64(v))
		return append(ctrl(b, 6, len(x)), x...)
	case u64:
		x := uintBytes(uint64(v))
		return append(ctrl(b, 9, len(x)), x...)
	case bool:
		if v {
			return ctrl(b, 14, 1)
		}
		return ctrl(b, 14, 0)
	case kv:
		b = ctrl(b, 7, len(v))
		for _, p := range v {
			b = encode(encode(b, p.k), p.v)
		}
		return b
	case []any:
		b = ctrl(b, 11, len(v))
		for _, x := range v {
			b = encode(b, x)
		}
		return b
	case raw:
		return append(b, v...)
	}
	panic("encode: unsupported type")
}

// dbip is a record in ip-location-db's layout.
func dbip(country, city string, lat, lon float32) kv {
	return kv{
		{"city", city}, {"country_code", country}, {"latitude", f32(lat)}, {"longitude", f32(lon)},
		{"postcode", ""}, {"state1", "State"}, {"state2", ""}, {"timezone", ""},
	}
}

// geoip2 is a record in the GeoIP2/GeoLite2 City layout.
func geoip2(country, city string, lat, lon float64) kv {
	return kv{
		{"city", kv{{"geoname_id", u32(2950159)}, {"names", kv{{"de", city + " (de)"}, {"en", city}}}}},
		{"continent", kv{{"code", "EU"}}},
		{"country", kv{{"geoname_id", u32(2921044)}, {"iso_code", country}, {"names", kv{{"en", "Country"}}}}},
		{"location", kv{{"accuracy_radius", u16(20)}, {"latitude", lat}, {"longitude", lon}, {"time_zone", "Europe/Berlin"}}},
		{"subdivisions", []any{kv{{"iso_code", "BE"}}}},
	}
}

// filler returns n good networks at 1.0.i.0/24, so the records that Open
// samples are sound and the ones a test crafts come later.
func filler(n int) []network {
	var out []network
	for i := range n {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{1, 0, byte(i), 0}), 24)
		out = append(out, network{p.String(), dbip("AU", "Brisbane", -27.47, 153.02)})
	}
	return out
}

func TestWriteMMDBRoundTrip(t *testing.T) {
	// The writer itself must produce what the library reads, else every
	// test below proves nothing.
	path := writeMMDB(t, 6, "city test", slices.Concat(filler(2), []network{{"2001:db8::/32", dbip("DE", "Berlin", 52.52, 13.40)}}))
	r, err := maxminddb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(); err != nil {
		t.Errorf("library's verifier rejects the test writer's output: %v", err)
	}
	r.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if loc, ok := db.Lookup(netip.MustParseAddr("1.0.1.9")); !ok || loc.Country != "AU" {
		t.Errorf("1.0.1.9: %+v %v", loc, ok)
	}
	if loc, ok := db.Lookup(netip.MustParseAddr("2001:db8::1")); !ok || loc.Country != "DE" {
		t.Errorf("2001:db8::1: %+v %v", loc, ok)
	}
}
