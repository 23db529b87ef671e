package detect

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
)

// step is one observation of user u and the kinds it must raise for u.
type step struct {
	ip      string
	after   time.Duration // since t0
	session string
	device  string
	want    []string
}

func runSteps(t *testing.T, d *Detector, steps []step) []string {
	t.Helper()
	var reasons []string
	for i, s := range steps {
		o := obs("u", s.ip, t0.Add(s.after))
		o.SessionID, o.Device = s.session, s.device
		fs := d.Observe(o)
		for _, f := range fs {
			checkFactor(t, f)
			reasons = append(reasons, f.Reason)
		}
		want := s.want
		if want == nil {
			want = []string{}
		}
		if got := kinds(fs, "u"); !slices.Equal(got, want) {
			t.Errorf("step %d (%s at %v): raised %v, want %v (%v)", i, s.ip, s.after, got, want, fs)
		}
	}
	return reasons
}

func TestImpossibleTravel(t *testing.T) {
	travel := []string{risk.KindImpossibleTravel}
	for _, tc := range []struct {
		name   string
		c      Config
		steps  []step
		reason string
	}{
		{"Berlin to Sydney in 40 minutes", Config{}, []step{
			{ip: "198.51.100.1"}, {ip: "203.0.113.7", after: 40 * time.Minute, want: travel}},
			"Berlin (DE) to Sydney (AU), 16,100 km in 40 min"},
		{"same city, another address", Config{}, []step{
			{ip: "198.51.100.1"}, {ip: "198.51.100.2", after: time.Minute}}, ""},
		{"small distance fast", Config{}, []step{ // Berlin to Hamburg, 255 km in 5 minutes
			{ip: "198.51.100.1"}, {ip: "198.51.100.3", after: 5 * time.Minute}}, ""},
		{"slow travel", Config{}, []step{ // Berlin to New York, 6,400 km in 9 hours
			{ip: "198.51.100.1"}, {ip: "192.0.2.10", after: 9 * time.Hour}}, ""},
		{"same instant", Config{}, []step{
			{ip: "192.0.2.10"}, {ip: "203.0.113.7", want: travel}}, "New York (US) to Sydney (AU), 16,000 km in no time"},
		{"back and forth is one finding", Config{}, []step{
			{ip: "198.51.100.1"}, {ip: "203.0.113.7", after: time.Minute, want: travel},
			{ip: "198.51.100.1", after: 2 * time.Minute}, {ip: "203.0.113.7", after: 3 * time.Minute}}, ""},
		{"again after the factor expired", Config{}, []step{
			{ip: "198.51.100.1"}, {ip: "203.0.113.7", after: time.Minute, want: travel},
			{ip: "198.51.100.1", after: 25 * time.Hour}, {ip: "203.0.113.7", after: 25*time.Hour + time.Minute, want: travel}}, ""},
		{"out of order", Config{}, []step{
			{ip: "203.0.113.7", after: time.Hour}, {ip: "198.51.100.1", after: 30 * time.Minute, want: travel}},
			"Berlin (DE) to Sydney (AU), 16,100 km in 30 min"},
		{"a place without coordinates is skipped", Config{}, []step{
			{ip: "198.51.100.1"}, {ip: "100.64.0.1", after: time.Minute}, {ip: "198.51.100.2", after: 2 * time.Minute}}, ""},
		{"lower speed limit", Config{TravelSpeedKMH: 500}, []step{
			{ip: "198.51.100.1"}, {ip: "192.0.2.10", after: 9 * time.Hour, want: travel}}, ""},
		{"disabled", Config{Disabled: []string{risk.KindImpossibleTravel}}, []step{
			{ip: "198.51.100.1"}, {ip: "203.0.113.7", after: time.Minute}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Disabled = append(tc.c.Disabled, risk.KindNewCountry)
			reasons := runSteps(t, mustNew(t, tc.c, fakeGeo{}, nil), tc.steps)
			if tc.reason != "" && !slices.Contains(reasons, tc.reason) {
				t.Errorf("reasons %q, want %q", reasons, tc.reason)
			}
		})
	}
	// Without GeoIP nothing moves.
	runSteps(t, mustNew(t, Config{}, nil, nil), []step{{ip: "198.51.100.1"}, {ip: "203.0.113.7", after: time.Minute}})
}

func TestConcurrentDistant(t *testing.T) {
	conc := []string{risk.KindConcurrentDistant}
	both := []string{risk.KindConcurrentDistant, risk.KindImpossibleTravel}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"two sessions in use in Berlin and New York", []step{
			{ip: "198.51.100.1", session: "a"},
			{ip: "192.0.2.10", after: 10 * time.Minute, session: "b", want: []string{risk.KindImpossibleTravel}},
			{ip: "198.51.100.1", after: 20 * time.Minute, session: "a", want: conc}, // travel back: same pair, once
			{ip: "192.0.2.10", after: 30 * time.Minute, session: "b"},
		}},
		{"a new session elsewhere after the old one went quiet", []step{
			{ip: "198.51.100.1", session: "a"},
			{ip: "192.0.2.10", after: 9 * time.Hour, session: "b"}, // a's last use is outside the window
			{ip: "192.0.2.10", after: 9*time.Hour + 30*time.Minute, session: "b"},
		}},
		{"two sessions in one city", []step{
			{ip: "198.51.100.1", session: "a"}, {ip: "198.51.100.2", after: time.Minute, session: "b"},
			{ip: "198.51.100.1", after: 2 * time.Minute, session: "a"}}},
		{"one session moving", []step{
			{ip: "198.51.100.1", session: "a"}, {ip: "192.0.2.10", after: 10 * time.Minute, session: "a",
				want: []string{risk.KindImpossibleTravel}}}},
		{"interleaved from the start", []step{
			{ip: "203.0.113.7", session: "a"},
			{ip: "198.51.100.1", session: "b", after: time.Minute, want: []string{risk.KindImpossibleTravel}},
			{ip: "203.0.113.7", session: "a", after: 2 * time.Minute, want: conc},
			{ip: "192.0.2.10", session: "c", after: 3 * time.Minute, want: []string{risk.KindImpossibleTravel}},
			{ip: "192.0.2.10", session: "c", after: 4 * time.Minute},
			{ip: "198.51.100.1", session: "b", after: 5 * time.Minute, want: both}, // New York and Berlin, new pairs
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runSteps(t, mustNew(t, Config{Disabled: []string{risk.KindNewCountry}}, fakeGeo{}, nil), tc.steps)
		})
	}
}

func TestNewDeviceAndCountry(t *testing.T) {
	dev, country := []string{risk.KindNewDevice}, []string{risk.KindNewCountry}
	d := mustNew(t, Config{Disabled: []string{risk.KindImpossibleTravel}}, fakeGeo{}, nil)
	reasons := runSteps(t, d, []step{
		{ip: "198.51.100.1", device: "d1"},                                      // baseline
		{ip: "198.51.100.2", device: "d1", after: time.Minute},                  // known
		{ip: "198.51.100.1", after: 2 * time.Minute},                            // no device cookie
		{ip: "198.51.100.1", device: "d2", after: 3 * time.Minute, want: dev},   // new device
		{ip: "198.51.100.1", device: "d1", after: 4 * time.Minute},              // known again
		{ip: "192.0.2.10", device: "d2", after: 5 * time.Minute, want: country}, // new country
		{ip: "192.0.2.20", device: "d2", after: 6 * time.Minute},                // US again
		{ip: "198.51.100.3", device: "d2", after: 7 * time.Minute},              // back in DE: known
	})
	for _, want := range []string{"a browser this account has not used before",
		"first request from New York (US); seen before from DE"} {
		if !slices.Contains(reasons, want) {
			t.Errorf("reasons %q lack %q", reasons, want)
		}
	}
	for _, r := range reasons {
		if strings.Contains(r, "d2") {
			t.Errorf("a reason gives the device cookie away: %q", r)
		}
	}
	// The known lists are bounded: the least recent device is forgotten.
	for i := range maxKnown + 1 {
		d.Observe(Observation{At: t0.Add(time.Hour), UserID: "v", Device: string(rune('a' + i))})
	}
	if fs := d.Observe(Observation{At: t0.Add(time.Hour), UserID: "v", Device: "a"}); !slices.Equal(kinds(fs, "v"), dev) {
		t.Errorf("the oldest of %d devices is still known: %v", maxKnown+1, fs)
	}
}

func TestHostingNetwork(t *testing.T) {
	nets := fakeNets{netip.MustParsePrefix("203.0.113.0/24"): "hosting", netip.MustParsePrefix("2001:db8::/32"): "vpn"}
	d := mustNew(t, Config{}, nil, nets)
	host := []string{risk.KindHostingNetwork}
	reasons := runSteps(t, d, []step{
		{ip: "198.51.100.1"},
		{ip: "203.0.113.7", after: time.Minute, want: host},
		{ip: "203.0.113.8", after: 2 * time.Minute}, // same list, already raised
		{ip: "2001:db8:1::5", after: 3 * time.Minute, want: host},
		{ip: "203.0.113.7", after: 2 * time.Hour, want: host}, // the first factor has expired
	})
	if want := `request from 203.0.113.7, listed as "hosting" (hosting, datacenter or VPN)`; reasons[0] != want {
		t.Errorf("reason %q, want %q", reasons[0], want)
	}
	// An IPv4-mapped IPv6 address is the IPv4 address.
	if fs := d.Observe(obs("w", "::ffff:203.0.113.9", t0)); !slices.Equal(kinds(fs, "w"), host) {
		t.Errorf("mapped address: %v", fs)
	}
}

func TestTextHelpers(t *testing.T) {
	for km, want := range map[float64]string{16093: "16,100 km", 255.4: "260 km", 999: "1,000 km", 1234567: "1,234,600 km"} {
		if got := kmText(km); got != want {
			t.Errorf("kmText(%v) = %q, want %q", km, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "no time", 40 * time.Minute: "40 min", 119 * time.Minute: "119 min",
		2 * time.Hour: "2 h", 310 * time.Minute: "5 h 10 min"} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
	if km := distanceKM(berlin, sydney); km < 16000 || km > 16200 {
		t.Errorf("Berlin to Sydney: %v km", km)
	}
	if km := distanceKM(berlin, berlin); km != 0 {
		t.Errorf("Berlin to Berlin: %v km", km)
	}
	// Antipodes stay finite.
	if km := distanceKM(Location{Lat: 90}, Location{Lat: -90}); km < 20000 || km > 20100 {
		t.Errorf("pole to pole: %v km", km)
	}
}
