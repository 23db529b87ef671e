package detect

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
)

func TestLocaleMismatch(t *testing.T) {
	july := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		geo      Geo
		ip       string
		at       time.Time
		tz, lang string
		doc      string
		severity int // 0: no finding
		reason   string
	}{
		{"Pyongyang clock behind Dallas with a US passport", fakeGeo{}, "192.0.2.20", t0, "Asia/Pyongyang", "ko-KR", "USA", 35,
			"browser clock on Asia/Pyongyang (UTC+9), but the address is in Dallas (US), around UTC-6; " +
				"the document is from USA (UTC-10 to UTC-4); the browser's language is ko-KR"},
		{"Chicago clock in Dallas", fakeGeo{}, "192.0.2.20", t0, "America/Chicago", "en-US", "USA", 0, ""},
		{"language alone raises nothing", fakeGeo{}, "192.0.2.20", t0, "America/Chicago", "ko-KR", "USA", 0, ""},
		{"address only", fakeGeo{}, "192.0.2.20", t0, "Asia/Seoul", "", "", 20, ""},
		{"document only, no GeoIP", nil, "192.0.2.20", t0, "Asia/Seoul", "", "USA", 10,
			"browser clock on Asia/Seoul (UTC+9), but the document is from USA (UTC-10 to UTC-4)"},
		{"a language that fits supports nothing", fakeGeo{}, "192.0.2.20", t0, "Asia/Seoul", "en-US", "USA", 30, ""},
		{"Berlin in summer", fakeGeo{}, "198.51.100.1", july, "Europe/Berlin", "de-DE", "D", 0, ""},
		{"ICAO's D is Germany", nil, "198.51.100.1", t0, "America/New_York", "", "D", 10, ""},
		{"lower-case document code", nil, "198.51.100.1", t0, "America/New_York", "", "deu", 10, ""},
		{"an unlisted document country is skipped", nil, "198.51.100.1", t0, "America/New_York", "", "ATA", 0, ""},
		{"neighbour's zone within the tolerance", nil, "198.51.100.1", t0, "Europe/London", "", "DEU", 0, ""},
		{"Indian half hour", fakeGeo{}, "198.51.100.1", t0, "Asia/Kolkata", "", "IND", 20,
			"browser clock on Asia/Kolkata (UTC+5:30), but the address is in Berlin (DE), around UTC+1"},
		{"no coordinates", fakeGeo{}, "100.64.0.1", t0, "Asia/Seoul", "", "", 0, ""},
		{"unknown zone", fakeGeo{}, "192.0.2.20", t0, "Mars/Olympus", "", "USA", 0, ""},
		{"the server's Local zone is refused", fakeGeo{}, "192.0.2.20", t0, "Local", "", "USA", 0, ""},
		{"path-like zone", fakeGeo{}, "192.0.2.20", t0, "../../etc/passwd", "", "USA", 0, ""},
		{"no zone", fakeGeo{}, "192.0.2.20", t0, "", "ko-KR", "USA", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustNew(t, Config{}, tc.geo, nil)
			o := obs("u", tc.ip, tc.at)
			o.TimeZone, o.Language, o.DocCountry = tc.tz, tc.lang, tc.doc
			var got []int
			for _, f := range d.Observe(o) {
				if f.Kind != risk.KindLocaleMismatch {
					continue
				}
				checkFactor(t, f)
				got = append(got, f.Severity)
				if tc.reason != "" && f.Reason != tc.reason {
					t.Errorf("reason:\n got  %q\n want %q", f.Reason, tc.reason)
				}
				if f.Evidence["time_zone"] != tc.tz {
					t.Errorf("evidence %v", f.Evidence)
				}
			}
			switch {
			case tc.severity == 0 && len(got) != 0:
				t.Errorf("raised severity %v, want nothing", got)
			case tc.severity != 0 && (len(got) != 1 || got[0] != tc.severity):
				t.Errorf("raised %v, want one of severity %d", got, tc.severity)
			}
			// The same clock again is the same finding.
			o.At = o.At.Add(time.Minute)
			for _, f := range d.Observe(o) {
				if f.Kind == risk.KindLocaleMismatch {
					t.Errorf("raised again: %v", f)
				}
			}
		})
	}
}

func TestLangRegion(t *testing.T) {
	for in, want := range map[string]string{
		"ko-KR": "KR", "en_us": "US", "zh-Hant-TW": "TW", "de-DE,de;q=0.9,en;q=0.8": "DE", "ko-KR-x-private": "KR",
		"en": "", "es-419": "", "x-KR": "", "": "", "-KR": "", "ko-Hant": "", "ko-Hant-Kore-KR": "", "ké-KR": "",
		" fr-CA ;q=1": "CA",
	} {
		tag, got := langRegion(in)
		if got != want || (want != "" && !strings.HasSuffix(tag, "-"+want)) || (want == "") != (tag == "") {
			t.Errorf("langRegion(%q) = %q, %q; want region %q", in, tag, got, want)
		}
	}
}

func TestZoneNames(t *testing.T) {
	for in, want := range map[string]bool{
		"Asia/Seoul": true, "America/Argentina/Buenos_Aires": true, "Etc/GMT+5": true, "UTC": true,
		"": false, "Local": false, "/etc/localtime": false, "a/../b": false, "Asia/Seoul\x00": false,
		strings.Repeat("A", 65): false, "Europe/Zürich": false,
	} {
		if got := zoneName(in); got != want {
			t.Errorf("zoneName(%q) = %v", in, got)
		}
	}
	var z zoneCache
	if z.load("Asia/Seoul") == nil || z.load("Nowhere/Land") != nil || z.load("Local") != nil {
		t.Fatal("zone cache resolves wrongly")
	}
	for i := range maxZones + 10 { // junk never grows the cache past its bound
		z.load("Junk/" + strings.Repeat("x", i%60) + string(rune('a'+i%26)))
	}
	if len(z.m) > maxZones {
		t.Fatalf("cache holds %d zones", len(z.m))
	}
}

func TestHoursApart(t *testing.T) {
	for _, tc := range []struct{ a, b, want float64 }{
		{9, -6, 9}, {13, -11, 0}, {12, -12, 0}, {5.5, 1, 4.5}, {-3, -3, 0}, {0, 12, 12},
	} {
		if got := hoursApart(tc.a, tc.b); got != tc.want {
			t.Errorf("hoursApart(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// The browser-reported zone, language and the document code are outside
// input: whatever they hold, Observe must neither panic nor raise a
// malformed factor, and langRegion returns a region or nothing.
func FuzzLocale(f *testing.F) {
	for _, s := range [][3]string{
		{"Asia/Pyongyang", "ko-KR", "USA"}, {"America/Chicago", "en-US,en;q=0.9", "D"}, {"Local", "zh-Hant-TW", "deu"},
		{"../../etc/passwd", "es-419", "<<<"}, {"Etc/GMT+14", "x-private", ""}, {"\x00", "\xff-\xfe", "\u00e9"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	d := mustNew(f, Config{}, fakeGeo{}, nil)
	ips := []netip.Addr{netip.MustParseAddr("192.0.2.20"), netip.MustParseAddr("175.45.176.1")}
	n := 0
	f.Fuzz(func(t *testing.T, tz, lang, doc string) {
		n++
		o := Observation{At: t0.Add(time.Duration(n) * time.Second), UserID: "u" + lang, IP: ips[n%2],
			TimeZone: tz, Language: lang, DocCountry: doc}
		for _, fc := range d.Observe(o) {
			if fc.Severity < 1 || fc.Severity > 100 || fc.Reason == "" || !fc.ExpiresAt.After(fc.At) {
				t.Fatalf("malformed factor %+v", fc)
			}
		}
		if tag, r := langRegion(lang); r != "" && (len(r) != 2 || strings.ToUpper(r) != r || len(tag) > 6 || !strings.HasSuffix(tag, r)) {
			t.Fatalf("langRegion(%q) = %q, %q", lang, tag, r)
		}
	})
}
