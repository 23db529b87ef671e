package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// The scenario: five identities from one device cookie and one
// address within minutes. Each of the five gets farm-device and
// farm-address exactly once, however often they come back.
func TestLaptopFarm(t *testing.T) {
	d := mustNew(t, Config{}, fakeGeo{}, nil)
	got := map[string][]string{}
	var all []store.RiskFactor
	for round := range 3 {
		for i := range 5 {
			o := obs(fmt.Sprint("emp", i), "192.0.2.20", t0.Add(time.Duration(round*5+i)*time.Minute))
			o.Device, o.SessionID = "farm-laptop", fmt.Sprint("s", i)
			for _, f := range d.Observe(o) {
				checkFactor(t, f)
				got[f.UserID] = append(got[f.UserID], f.Kind)
				all = append(all, f)
			}
		}
	}
	want := []string{risk.KindFarmAddress, risk.KindFarmDevice}
	for i := range 5 {
		u := fmt.Sprint("emp", i)
		slices.Sort(got[u])
		if !slices.Equal(got[u], want) {
			t.Errorf("%s got %v, want %v", u, got[u], want)
		}
	}
	if len(got) != 5 {
		t.Errorf("factors for %d users, want 5: %v", len(got), got)
	}
	for _, f := range all {
		if strings.Contains(f.Reason, "emp") || strings.Contains(f.Reason, "farm-laptop") {
			t.Errorf("reason names accounts or the device cookie: %q", f.Reason)
		}
		if strings.Contains(fmt.Sprint(f.Evidence), "farm-laptop") {
			t.Errorf("evidence gives the device cookie away: %v", f.Evidence)
		}
		if f.Kind == risk.KindFarmDevice && f.Evidence["device"] != fingerprint("farm-laptop") {
			t.Errorf("device evidence %q", f.Evidence["device"])
		}
	}
	// The third user on the device triggers it for the first two as well.
	first := all[0]
	if first.Kind != risk.KindFarmDevice || first.Reason != "one browser used by 3 accounts within 1 h" ||
		first.Evidence["users"] != "emp0, emp1, emp2" || !first.At.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("first finding: %+v", first)
	}
}

func TestFarmThresholds(t *testing.T) {
	shared := netip.MustParsePrefix("192.0.2.0/24")
	for _, tc := range []struct {
		name    string
		c       Config
		users   int
		ip      func(i int) string
		device  func(i int) string
		cred    func(i int) string
		spacing time.Duration
		want    map[string]int // kind -> users who got it
	}{
		{"two users on a device", Config{}, 2, same("192.0.2.20"), same("dev"), none, time.Minute, nil},
		{"three users on a device", Config{}, 3, same("192.0.2.20"), same("dev"), none, time.Minute,
			map[string]int{risk.KindFarmDevice: 3}},
		{"three users on a credential", Config{}, 3, same("192.0.2.20"), none, same("cred"), time.Minute,
			map[string]int{risk.KindFarmDevice: 3}},
		{"three users, spread beyond the window", Config{}, 3, same("192.0.2.20"), same("dev"), none, 31 * time.Minute, nil},
		{"four users on an address", Config{}, 4, same("192.0.2.20"), none, none, time.Minute, nil},
		{"five users on an address", Config{}, 5, same("192.0.2.20"), none, none, time.Minute,
			map[string]int{risk.KindFarmAddress: 5}},
		{"five users on a shared network", Config{SharedNetworks: []netip.Prefix{shared}}, 5, same("192.0.2.20"), none, none,
			time.Minute, nil},
		{"five users behind a private address", Config{}, 5, same("10.0.0.1"), none, none, time.Minute, nil},
		{"five users on one IPv6 /64", Config{}, 5, func(i int) string { return fmt.Sprintf("2001:db8:1::%x", i+1) }, none, none,
			time.Minute, map[string]int{risk.KindFarmAddress: 5}},
		{"five users on distinct IPv4 addresses", Config{}, 5, func(i int) string { return fmt.Sprintf("192.0.2.%d", i+1) }, none,
			none, time.Minute, nil},
		{"five users in one /24 when grouping by /24", Config{FarmPrefixV4: 24}, 5,
			func(i int) string { return fmt.Sprintf("192.0.2.%d", i+1) }, none, none, time.Minute,
			map[string]int{risk.KindFarmAddress: 5}},
		{"a lower device threshold", Config{FarmUsersPerDevice: 2}, 2, same("192.0.2.20"), same("dev"), none, time.Minute,
			map[string]int{risk.KindFarmDevice: 2}},
		{"disabled", Config{Disabled: []string{risk.KindFarmDevice, risk.KindFarmAddress}}, 6, same("192.0.2.20"),
			same("dev"), none, time.Minute, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := mustNew(t, tc.c, nil, nil)
			got := map[string]int{}
			for i := range tc.users {
				o := obs(fmt.Sprint("u", i), tc.ip(i), t0.Add(time.Duration(i)*tc.spacing))
				o.Device, o.Credential = tc.device(i), tc.cred(i)
				for _, f := range d.Observe(o) {
					got[f.Kind]++
				}
			}
			want := tc.want
			if want == nil {
				want = map[string]int{}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("raised %v, want %v", got, want)
			}
		})
	}
}

func same(s string) func(int) string { return func(int) string { return s } }
func none(int) string                { return "" }

// Memory stays bounded however many users, devices and addresses pass.
func TestMemoryBounds(t *testing.T) {
	const max = 100
	d := mustNew(t, Config{MaxTracked: max}, fakeGeo{}, nil)
	for i := range 5000 {
		o := obs(fmt.Sprint("user", i), fmt.Sprintf("198.18.%d.%d", i/256%256, i%256), t0.Add(time.Duration(i)*time.Second))
		o.Device, o.Credential, o.SessionID = fmt.Sprint("dev", i), fmt.Sprint("cred", i), fmt.Sprint("s", i)
		d.Observe(o)
		d.VerificationFailed(o.UserID, o.At)
	}
	if u, dev, a := d.Tracked(); u != max || dev != max || a != max {
		t.Fatalf("tracked %d users, %d devices, %d addresses; want %d each", u, dev, a, max)
	}
	// One user's own lists are bounded too.
	for i := range 100 {
		o := obs("busy", "203.0.113.7", t0.Add(time.Duration(i)*time.Second))
		o.Device, o.SessionID = fmt.Sprint("d", i), fmt.Sprint("s", i)
		d.Observe(o)
	}
	u, _ := d.users.peek("busy")
	if len(u.devices) > maxKnown || len(u.sessions) > maxSessions || len(u.emitted) > maxEmitted {
		t.Fatalf("one user holds %d devices, %d sessions, %d findings", len(u.devices), len(u.sessions), len(u.emitted))
	}
	// And one cluster's members.
	for i := range maxCluster + 50 {
		o := Observation{At: t0, UserID: fmt.Sprint("m", i), Device: "shared"}
		d.Observe(o)
	}
	c, _ := d.devices.peek(deviceKey{id: "shared"})
	if len(c.members) != maxCluster {
		t.Fatalf("cluster holds %d members, want %d", len(c.members), maxCluster)
	}
}

func TestLRU(t *testing.T) {
	l := newLRU[string, int](2)
	l.put("a", 1)
	l.put("b", 2)
	l.get("a") // b is now the least recent
	l.put("c", 3)
	if _, ok := l.peek("b"); ok {
		t.Error("b survived")
	}
	for k, want := range map[string]int{"a": 1, "c": 3} {
		if v, ok := l.peek(k); !ok || v != want {
			t.Errorf("%s = %d, %v", k, v, ok)
		}
	}
	l.put("a", 10) // update keeps the size
	if v, _ := l.get("a"); v != 10 || l.len() != 2 {
		t.Errorf("after update: a = %d, len %d", v, l.len())
	}
}
