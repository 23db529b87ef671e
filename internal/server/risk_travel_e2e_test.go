package server_test

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/geoip"
	"github.com/vigil-gw/vigil/internal/geoip/geoiptest"
)

// TestImpossibleTravelTriggersTheConfiguredAction: alice's requests come
// from Zurich, then a minute later from the US (as a trusted proxy says).
// No one travels that fast: the detector raises impossible travel, her
// level becomes medium, and this app's configured action for medium, deny,
// answers the next request with the reason.
func TestImpossibleTravelTriggersTheConfiguredAction(t *testing.T) {
	files := geoiptest.Files(t)
	db, err := geoip.Open(files...)
	if err != nil {
		t.Fatal(err)
	}
	zurich, us := netip.MustParseAddr("129.132.0.1"), netip.MustParseAddr("8.8.8.8")
	a, okA := db.Lookup(zurich)
	b, okB := db.Lookup(us)
	db.Close()
	if !okA || !okB || a.Country != "CH" || b.Country != "US" || km(a.Lat, a.Lon, b.Lat, b.Lon) < 5000 {
		t.Fatalf("the database places the test addresses at %+v and %+v; pick two far apart", a, b)
	}
	e := startRisk(t, func(c *config.Config) {
		c.Risk.GeoIP = files
		c.Apps[0].Risk = &config.RiskActions{Medium: config.RiskDeny, High: config.RiskDeny}
	})
	alice, via := e.browserFrom(zurich.String())
	if resp := signInDemo(t, alice, e.public+"/ledger", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in from Zurich: HTTP %d", resp.StatusCode)
	}
	if code, _ := getEcho(t, alice, e.public+"/ledger", nil); code != 200 {
		t.Fatalf("second request from Zurich: HTTP %d", code)
	}
	via.set(us.String())
	// The request that shows the jump is judged before the detector has
	// seen it (detection is off the request path); the next ones are not.
	getEcho(t, alice, e.public+"/ledger", nil)
	eventually(t, "impossible travel denied", func() (bool, string) {
		code, loc, body := status(t, alice, e.public+"/ledger", "text/html")
		return code == 403 && strings.Contains(body, "risk-deny") && strings.Contains(body, "impossible travel"), describe(code, loc, body)
	})
	v := e.risk(t, "u1@example.com")
	var travel bool
	for _, f := range v.Factors {
		if f.Kind == "impossible-travel" && f.Points > 0 && strings.Contains(f.Reason, "km") {
			travel = true
		}
	}
	if !travel || v.Level != "medium" {
		t.Fatalf("risk %+v, want medium with impossible-travel", v)
	}
	// Another user, staying put, is not affected.
	bob, _ := e.browserFrom(us.String())
	if resp := signInDemo(t, bob, e.public+"/ledger", "u2"); resp.StatusCode != 200 {
		t.Errorf("u2: HTTP %d", resp.StatusCode)
	}
}

// km is the great-circle distance.
func km(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// TestDeviceTimeZoneAgainstLocation: the browser reports its time zone (as
// the verifier's pages do) and its requests come from Zurich; a zone nine
// hours away raises locale-mismatch. Reports without the device cookie or
// with a zone that does not exist are refused and change nothing.
func TestDeviceTimeZoneAgainstLocation(t *testing.T) {
	files := geoiptest.Files(t)
	e := startRisk(t, func(c *config.Config) { c.Risk.GeoIP = files })
	u1, _ := e.browserFrom("129.132.0.1")
	if resp := signInDemo(t, u1, e.public+"/desk", "u1"); resp.StatusCode != 200 {
		t.Fatalf("sign-in: HTTP %d", resp.StatusCode)
	}
	report := func(c *http.Client, body string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", e.public+"/.vigil/device", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := report(http.DefaultClient, `{"tz":"Asia/Tokyo"}`); code != 400 {
		t.Errorf("no device cookie: HTTP %d, want 400", code)
	}
	if code := report(u1, `{"tz":"Mars/Olympus_Mons"}`); code != 400 {
		t.Errorf("unknown zone: HTTP %d, want 400", code)
	}
	if code := report(u1, `{"tz":"Asia/Tokyo"}`); code != 204 {
		t.Fatalf("report: HTTP %d, want 204", code)
	}
	eventually(t, "locale mismatch raised", func() (bool, string) {
		getEcho(t, u1, e.public+"/desk", nil)
		v := e.risk(t, "u1@example.com")
		for _, f := range v.Factors {
			if f.Kind == "locale-mismatch" && f.Points > 0 {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", v.Factors)
	})
}
