package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
)

// TestLaptopFarmSteppedUpThenReverified drives a laptop farm through the
// gateway: five accounts sign in from one browser (one device cookie) and
// one address within a minute. The detectors flag the cluster, every one
// of the five is stepped up (browsers to the verifier, APIs with an RFC
// 9470 challenge that says why), and a user who verifies again gets in:
// the finding is cleared and their risk drops to low. A sixth user on
// another device and address is untouched.
func TestLaptopFarmSteppedUpThenReverified(t *testing.T) {
	e := startRisk(t, func(c *config.Config) {
		// Five users raise both farm findings (60 + 45): high. Step up at
		// every level, so that the scenario is about step-up.
		c.Risk.Actions = config.RiskActions{Medium: config.RiskActionStepUp, High: config.RiskActionStepUp}
	})
	farm := []string{"u1", "u2", "u3", "u4", "u5"}
	var device *http.Cookie
	browsers := map[string]*http.Client{}
	gw, _ := url.Parse(e.public)
	for _, u := range farm {
		c, _ := e.browserFrom("198.51.100.23")
		if device != nil {
			c.Jar.SetCookies(gw, []*http.Cookie{device})
		}
		resp := signInDemo(t, c, e.public+"/desk", u)
		body := readBody(t, resp)
		if device == nil {
			for _, ck := range c.Jar.Cookies(gw) {
				if ck.Name == "vigil_device" {
					device = ck
				}
			}
			if device == nil {
				t.Fatalf("%s: the gateway set no device cookie", u)
			}
		}
		// The first two are simply let in: no cluster yet.
		if u == "u1" && resp.StatusCode != 200 {
			t.Fatalf("%s: HTTP %d at %s: %s", u, resp.StatusCode, resp.Request.URL, body)
		}
		browsers[u] = c
	}
	honest, _ := e.browserFrom("203.0.113.80")
	if resp := signInDemo(t, honest, e.public+"/desk", "u6"); resp.StatusCode != 200 {
		t.Fatalf("u6: HTTP %d", resp.StatusCode)
	}

	// Every member of the farm is stepped up, with the reason.
	for _, u := range farm {
		eventually(t, u+" stepped up", func() (bool, string) {
			code, loc, body := status(t, browsers[u], e.public+"/desk", "text/html")
			return code == 302 && strings.HasPrefix(loc, e.public+"/.vigil/verify?rd="), describe(code, loc, body)
		})
		resp := get(t, noFollow(browsers[u]), e.public+"/desk", "application/json", nil)
		body := readBody(t, resp)
		if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "max_age=300") ||
			!strings.Contains(body, "risk-step-up") || !strings.Contains(body, "browser") {
			t.Fatalf("%s API: HTTP %d %q %s", u, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
		}
		// Detection runs off the request path: both findings arrive.
		eventually(t, u+" flagged as part of a farm", func() (bool, string) {
			status(t, browsers[u], e.public+"/desk", "text/html")
			v := e.risk(t, u+"@example.com")
			kinds := map[string]bool{}
			for _, f := range v.Factors {
				kinds[f.Kind] = f.Points > 0
			}
			return kinds["farm-device"] && kinds["farm-address"], fmt.Sprintf("%+v", v.Factors)
		})
	}
	if code, e6 := getEcho(t, honest, e.public+"/desk", nil); code != 200 || !e6.Verified {
		t.Errorf("u6 (another device and address): HTTP %d", code)
	}
	if v := e.risk(t, "u6@example.com"); v.Level != "low" {
		t.Errorf("u6 risk %+v", v)
	}

	// u3 verifies again: the verifier (max_age makes it ask afresh) sends
	// them back where they were going, and the farm findings are answered.
	page := get(t, browsers["u3"], e.public+"/desk?after=verify", "text/html", nil)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		t.Fatalf("u3: HTTP %d at %s, want the verifier's login page", page.StatusCode, page.Request.URL)
	}
	end, err := demoidp.SubmitLogin(browsers["u3"], page, "u3", "u3-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, end)
	if end.StatusCode != 200 || end.Request.URL.String() != e.public+"/desk?after=verify" {
		t.Fatalf("after re-verifying: HTTP %d at %s: %s", end.StatusCode, end.Request.URL, body)
	}
	v := e.risk(t, "u3@example.com")
	if v.Level != "low" || v.Score != 0 {
		t.Fatalf("u3 after verifying: %+v, want low and 0", v)
	}
	for _, f := range v.Factors {
		if f.ClearedBy != "verification" {
			t.Errorf("u3 factor %s not cleared by the verification: %+v", f.Kind, f)
		}
	}
	if code, e3 := getEcho(t, browsers["u3"], e.public+"/desk", nil); code != 200 || !e3.Verified || e3.Claims.Verification == nil {
		t.Errorf("u3 after verifying: HTTP %d %+v", code, e3)
	}
	// The others are still held.
	if code, loc, body := status(t, browsers["u4"], e.public+"/desk", "text/html"); code != 302 {
		t.Errorf("u4 still stepped up? %s", describe(code, loc, body))
	}
}

// TestRiskSelectorStepsUp: the app allows medium risk by its actions but
// its policy requires low (`risk: low`); a user the detectors raised to
// medium is sent to verify again and, verified, let in.
func TestRiskSelectorStepsUp(t *testing.T) {
	e := startRisk(t, func(c *config.Config) {
		c.Apps[0].Risk = &config.RiskActions{Medium: config.RiskAllow, High: config.RiskAllow}
		c.Apps[0].Policies = []config.Rule{{Name: "low-risk-staff", Action: "allow",
			Include: []config.Selector{{Group: config.StringList{"staff"}}},
			Require: []config.Selector{{Risk: "low"}}}}
	})
	gw, _ := url.Parse(e.public)
	var device *http.Cookie
	var u1 *http.Client
	for _, u := range []string{"u1", "u2", "u3"} {
		c, _ := e.browserFrom("198.51.100.40")
		if device != nil {
			c.Jar.SetCookies(gw, []*http.Cookie{device})
		}
		readBody(t, signInDemo(t, c, e.public+"/desk", u))
		for _, ck := range c.Jar.Cookies(gw) {
			if ck.Name == "vigil_device" {
				device = ck
			}
		}
		if u == "u1" {
			u1 = c
		}
	}
	eventually(t, "u1 sent to verify", func() (bool, string) {
		code, loc, body := status(t, u1, e.public+"/desk", "text/html")
		return code == 302 && strings.HasPrefix(loc, e.public+"/.vigil/verify?rd="), describe(code, loc, body)
	})
	page := get(t, u1, e.public+"/desk", "text/html", nil)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		readBody(t, page)
		t.Fatalf("u1: HTTP %d at %s, want the verifier's login page", page.StatusCode, page.Request.URL)
	}
	end, err := demoidp.SubmitLogin(u1, page, "u1", "u1-demo-password")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, end); end.StatusCode != 200 || end.Request.URL.String() != e.public+"/desk" {
		t.Fatalf("after verifying: HTTP %d at %s: %s", end.StatusCode, end.Request.URL, body)
	}
}
