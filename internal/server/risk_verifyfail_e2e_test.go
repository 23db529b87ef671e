package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/config"
)

// TestRepeatedVerificationFailuresRaiseRisk: u1 must verify for this app
// but abandons the verification three times (the verifier answers
// access_denied, as when the person cancels or fails its checks). The
// third failure raises the verification-failures factor.
func TestRepeatedVerificationFailuresRaiseRisk(t *testing.T) {
	e := startRisk(t, func(c *config.Config) {
		c.Apps[0].Policies = []config.Rule{{Name: "verified-staff", Action: "allow",
			Include: []config.Selector{{Group: config.StringList{"staff"}}},
			Require: []config.Selector{{Verified: "ial2"}}}}
	})
	u1, _ := e.browserFrom("")
	page := signInDemo(t, u1, e.public+"/payroll", "u1")
	readBody(t, page)
	if !strings.Contains(page.Request.URL.Path, "/login") {
		t.Fatalf("after sign-in: %s, want the verifier's login page", page.Request.URL)
	}
	for i := 1; i <= 3; i++ {
		resp := get(t, noFollow(u1), e.public+"/.vigil/verify?rd="+url.QueryEscape(e.public+"/payroll"), "text/html", nil)
		readBody(t, resp)
		to, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode/100 != 3 || to.Query().Get("state") == "" {
			t.Fatalf("attempt %d: HTTP %d to %q, want the verifier's authorization endpoint", i, resp.StatusCode, resp.Header.Get("Location"))
		}
		cb := e.public + "/.vigil/callback?error=access_denied&state=" + url.QueryEscape(to.Query().Get("state"))
		resp = get(t, noFollow(u1), cb, "text/html", nil)
		body := readBody(t, resp)
		if resp.StatusCode < 400 || !strings.Contains(body, "access_denied") {
			t.Fatalf("attempt %d: callback HTTP %d: %s", i, resp.StatusCode, body)
		}
		v := e.risk(t, "u1@example.com")
		found := false
		for _, f := range v.Factors {
			found = found || f.Kind == "verification-failures"
		}
		if found != (i == 3) {
			t.Fatalf("after %d failures: factors %+v", i, v.Factors)
		}
		if i == 3 && v.Level != "medium" {
			t.Fatalf("after 3 failures: %+v, want medium", v)
		}
	}
}
