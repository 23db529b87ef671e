package authn

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// TestLogoutConfirmPage: a GET only asks; the session survives it, and the
// page's form may lead on to the provider's end_session origin.
func TestLogoutConfirmPage(t *testing.T) {
	e := newEnv(t, jose.ES256, func(op *testOP) { op.endSession = true })
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	gw, _ := url.Parse(e.gw.URL)
	cases := []struct {
		name     string
		path     string
		contains []string
		lacks    []string
	}{
		{name: "plain", path: PathLogout,
			contains: []string{"Sign out of " + gw.Host + "?", `method="post"`, `action="/.vigil/logout"`, `type="submit"`},
			lacks:    []string{`name="rd"`, "Stay signed in", "<script"}},
		{name: "with rd", path: PathLogout + "?rd=%2Fapp%2Fx%3Fa%3D1",
			contains: []string{`name="rd" value="/app/x?a=1"`, `href="/app/x?a=1"`}},
		{name: "bad rd dropped", path: PathLogout + "?rd=https%3A%2F%2Fevil.example%2F",
			contains: []string{"Sign out of"}, lacks: []string{"evil.example"}},
	}
	for _, tc := range cases {
		resp, body := e.get(tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.name, resp.StatusCode)
		}
		for _, s := range tc.contains {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %q:\n%s", tc.name, s, body)
			}
		}
		for _, s := range tc.lacks {
			if strings.Contains(body, s) {
				t.Errorf("%s: page has %q", tc.name, s)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "form-action 'self' "+e.op.issuer()+";") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q does not allow the end_session origin", tc.name, csp)
		}
	}
	if e.sessions.live() != 1 || len(e.cookies("/")) != 1 {
		t.Fatalf("GET ended the session: %d live, cookies %v", e.sessions.live(), e.cookies("/"))
	}
}

// TestLogoutCrossOrigin: another site cannot sign the user out, whatever
// headers its browser sends; the page's own form can.
func TestLogoutCrossOrigin(t *testing.T) {
	e := newEnv(t, jose.ES256, nil)
	if resp, _ := e.get(e.toCallback("/app/")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	refused := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"}, // a sibling app host is another origin
		{"Sec-Fetch-Site": "cross-site", "Origin": e.gw.URL},
		{"Origin": "https://evil.example"}, // old browser: no Sec-Fetch-Site
		{"Origin": "null"},
	}
	for _, hdr := range refused {
		resp, body := e.postLogout(hdr, nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, ReasonLogoutCrossOrigin) ||
			!strings.Contains(body, "could not sign you out") {
			t.Fatalf("%v: status %d body %s", hdr, resp.StatusCode, body)
		}
		if e.sessions.live() != 1 || len(e.cookies("/")) != 1 {
			t.Fatalf("%v: cross-origin POST ended the session", hdr)
		}
		if e.lastFailure() != "/"+ReasonLogoutCrossOrigin {
			t.Fatalf("%v: failure counted as %q", hdr, e.lastFailure())
		}
	}
	u, _ := url.Parse(e.gw.URL)
	resp, body := e.postLogout(map[string]string{"Origin": u.Scheme + "://" + u.Host}, url.Values{"rd": {"/app/next"}})
	if resp.StatusCode != http.StatusOK || e.sessions.live() != 0 || len(e.cookies("/")) != 0 {
		t.Fatalf("same-origin POST: status %d, %d live", resp.StatusCode, e.sessions.live())
	}
	if !strings.Contains(body, `href="/.vigil/login?rd=%2Fapp%2Fnext"`) {
		t.Fatalf("signed-out page does not carry rd:\n%s", body)
	}
}
