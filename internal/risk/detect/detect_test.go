package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Places and addresses the tests use; fakeGeo knows each address.
var (
	berlin    = Location{Country: "DE", City: "Berlin", Lat: 52.52, Lon: 13.405}
	hamburg   = Location{Country: "DE", City: "Hamburg", Lat: 53.55, Lon: 9.99}
	sydney    = Location{Country: "AU", City: "Sydney", Lat: -33.87, Lon: 151.21}
	newYork   = Location{Country: "US", City: "New York", Lat: 40.71, Lon: -74.01}
	dallas    = Location{Country: "US", City: "Dallas", Lat: 32.78, Lon: -96.80}
	pyongyang = Location{Country: "KP", City: "Pyongyang", Lat: 39.04, Lon: 125.76}
	nowhere   = Location{Country: "FR"} // a country without coordinates
)

var addrOf = map[string]Location{
	"198.51.100.1": berlin, "198.51.100.2": berlin, "198.51.100.3": hamburg, "203.0.113.7": sydney,
	"192.0.2.10": newYork, "192.0.2.20": dallas, "2001:db8:1::5": dallas, "2001:db8:1::6": dallas,
	"175.45.176.1": pyongyang, "100.64.0.1": nowhere, "10.0.0.1": berlin,
}

type fakeGeo struct{}

func (fakeGeo) Lookup(ip netip.Addr) (Location, bool) {
	l, ok := addrOf[ip.String()]
	return l, ok
}

type fakeNets map[netip.Prefix]string

func (n fakeNets) Match(ip netip.Addr) (string, bool) {
	for p, l := range n {
		if p.Contains(ip) {
			return l, true
		}
	}
	return "", false
}

func mustNew(t testing.TB, c Config, geo Geo, nets Networks) *Detector {
	t.Helper()
	d, err := New(c, geo, nets)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

func obs(user, ip string, at time.Time) Observation {
	return Observation{At: at, UserID: user, IP: netip.MustParseAddr(ip)}
}

// kinds lists the kinds of fs for user ("" for all users), sorted.
func kinds(fs []store.RiskFactor, user string) []string {
	out := []string{}
	for _, f := range fs {
		if user == "" || f.UserID == user {
			out = append(out, f.Kind)
		}
	}
	slices.Sort(out)
	return out
}

// checkFactor holds every factor to the contract Observe promises.
func checkFactor(t *testing.T, f store.RiskFactor) {
	t.Helper()
	life := defaultLifetime[f.Kind]
	if f.ID != "" || f.UserID == "" || f.Source != "detector" || f.Severity < 1 || f.Severity > 100 ||
		f.Reason == "" || f.At.IsZero() || (life != 0 && f.ExpiresAt.Sub(f.At) != life) || len(f.Evidence) == 0 {
		t.Errorf("malformed factor: %+v", f)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want []string // substrings of the error; nil: valid
	}{
		{"zero is the defaults", Config{}, nil},
		{"overrides", Config{Severity: map[string]int{risk.KindNewDevice: 5},
			Lifetime: map[string]time.Duration{risk.KindNewDevice: time.Minute}, Disabled: []string{risk.KindFarmAddress},
			SharedNetworks: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}}, nil},
		{"everything wrong at once", Config{TravelSpeedKMH: -1, Window: -time.Second, FarmUsersPerDevice: 1,
			FarmPrefixV4: 8, FailureCount: 99, MaxTracked: -1, SharedNetworks: []netip.Prefix{{}},
			Severity: map[string]int{risk.KindNewDevice: 0, "admin": 5},
			Lifetime: map[string]time.Duration{risk.KindNewDevice: -1, "bogus": 1}, Disabled: []string{"ssf-x"}},
			[]string{"travel speed", "windows", "farm user counts", "farm prefixes", "failure count", "table size",
				"shared network 0", `cannot disable unknown kind "ssf-x"`, "severity of new-device must be 1..100",
				`severity of unknown kind "admin"`, "lifetime of new-device", `lifetime of unknown kind "bogus"`}},
		{"too many users per farm", Config{FarmUsersPerAddress: 1000}, []string{"farm user counts"}},
		{"IPv6 prefix too short", Config{FarmPrefixV6: 16}, []string{"farm prefixes"}},
	} {
		_, err := New(tc.c, nil, nil)
		if (err != nil) != (tc.want != nil) {
			t.Errorf("%s: New = %v", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
}

func TestStatus(t *testing.T) {
	off := mustNew(t, Config{Disabled: []string{risk.KindNewDevice}}, nil, nil).Status()
	on := mustNew(t, Config{}, fakeGeo{}, fakeNets{}).Status()
	if len(off) != len(risk.DetectorKinds()) || len(on) != len(off) {
		t.Fatalf("%d and %d lines, want one per detector kind", len(off), len(on))
	}
	for _, want := range []string{"impossible travel: off (no GeoIP database)", "hosting network: off (no network lists)",
		"new device: off (disabled in config)", "farm device: on (3 users behind one device within 1 h)"} {
		if !slices.Contains(off, want) {
			t.Errorf("status without GeoIP lacks %q:\n%s", want, strings.Join(off, "\n"))
		}
	}
	for _, l := range on {
		if !strings.Contains(l, ": on (") {
			t.Errorf("with everything available: %q", l)
		}
	}
}

// Observations with no user or no time say nothing about anyone.
func TestObserveIgnoresIncomplete(t *testing.T) {
	d := mustNew(t, Config{}, fakeGeo{}, fakeNets{netip.MustParsePrefix("0.0.0.0/0"): "all"})
	for _, o := range []Observation{obs("", "198.51.100.1", t0), obs("u", "198.51.100.1", time.Time{})} {
		if fs := d.Observe(o); fs != nil {
			t.Errorf("%+v raised %v", o, fs)
		}
	}
	if u, _, _ := d.Tracked(); u != 0 {
		t.Errorf("tracked %d users", u)
	}
	// An absurdly long device ID is no device: it is neither kept nor
	// counted towards a farm.
	long := strings.Repeat("x", maxIDLen+1)
	for i := range 5 {
		o := Observation{At: t0, UserID: fmt.Sprint("u", i), Device: long, Credential: long}
		if fs := d.Observe(o); len(fs) != 0 {
			t.Errorf("long IDs raised %v", fs)
		}
	}
	if _, dev, _ := d.Tracked(); dev != 0 {
		t.Errorf("tracked %d long device IDs", dev)
	}
}

// Observe from many goroutines at once, with farms forming across them.
func TestObserveConcurrent(t *testing.T) {
	d := mustNew(t, Config{MaxTracked: 50}, fakeGeo{}, fakeNets{netip.MustParsePrefix("203.0.113.0/24"): "hosting"})
	ips := []string{"198.51.100.1", "203.0.113.7", "192.0.2.10", "175.45.176.1", "2001:db8:1::5"}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				o := obs(fmt.Sprint("u", (w*7+i)%40), ips[i%len(ips)], t0.Add(time.Duration(i)*time.Second))
				o.Device, o.SessionID, o.TimeZone = fmt.Sprint("dev", i%6), fmt.Sprint("s", i%9), "Asia/Seoul"
				fs := d.Observe(o)
				if i%50 == 0 {
					fs = append(fs, d.VerificationFailed(o.UserID, o.At)...)
					d.Forget(o.UserID, nil)
				}
				mu.Lock()
				total += len(fs)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if total == 0 {
		t.Fatal("no findings at all from a busy shared device")
	}
	if u, dev, a := d.Tracked(); u > 50 || dev > 50 || a > 50 {
		t.Fatalf("tracked %d users, %d devices, %d addresses; bound is 50", u, dev, a)
	}
}
