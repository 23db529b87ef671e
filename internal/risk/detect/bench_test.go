package detect

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// mapGeo is a GeoIP stand-in as fast as a real database's lookup is cheap
// (a map hit), so the benchmark measures the detector.
type mapGeo map[netip.Addr]Location

func (g mapGeo) Lookup(ip netip.Addr) (Location, bool) {
	l, ok := g[ip]
	return l, ok
}

type noNets struct{}

func (noNets) Match(netip.Addr) (string, bool) { return "", false }

// BenchmarkObserve feeds a steady stream of ordinary traffic: 10,000 users,
// each on their own device, session and home address, with every
// detector on; one request in 50 comes from elsewhere in the world. It
// reports observations per second on the cores given (-cpu 1 for one).
func BenchmarkObserve(b *testing.B) {
	const users = 10_000
	places := []Location{berlin, hamburg, sydney, newYork, dallas, pyongyang}
	geo := mapGeo{}
	obsv := make([]Observation, users)
	for i := range obsv {
		ip := netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})
		geo[ip] = places[i%2] // most users at home in Germany
		obsv[i] = Observation{UserID: fmt.Sprint("user", i), SessionID: fmt.Sprint("sess", i), App: "portal", IP: ip,
			Device: fmt.Sprint("device", i), TimeZone: "Europe/Berlin", Language: "de-DE", DocCountry: "DEU"}
	}
	away := make([]netip.Addr, len(places))
	for i, p := range places {
		away[i] = netip.AddrFrom4([4]byte{203, 0, 113, byte(i)})
		geo[away[i]] = p
	}
	d := mustNew(b, Config{}, geo, noNets{})
	findings, i := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		o := obsv[i%users]
		o.At = t0.Add(time.Duration(i) * 10 * time.Millisecond)
		if i%50 == 0 {
			o.IP = away[i%len(away)]
		}
		findings += len(d.Observe(o))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "obs/s")
	b.ReportMetric(float64(findings)/float64(b.N), "factors/op")
}
