package gateway

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/store"
	"go.yaml.in/yaml/v3"
)

// newStepUpGateway serves one app whose policy needs ial2 verified within
// 720h; verifier is the app's verifier name ("" for none).
func newStepUpGateway(t *testing.T, verifier string, rules string, sessions *tableSessions) (*httptest.Server, chan seen) {
	t.Helper()
	got := make(chan seen, 10)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Header.Clone(), r.URL.Path, r.Host}
		io.WriteString(w, "upstream ok")
	}))
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	var rs []config.Rule
	if err := yamlRules(rules, &rs); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Compile(rs, "apps[0].policies")
	if err != nil {
		t.Fatal(err)
	}
	g := New(Options{
		Routes: []*Route{{App: "bank", Prefix: "/", Upstream: u, Policy: pol,
			Verifier: verifier, VerifierACR: []string{"urn:idv:ial2", "urn:idv:ial3"}}},
		Sessions: sessions, IsNoSession: func(err error) bool { return errors.Is(err, errNoSession) },
		Minter: signedBy{}, CookieName: "vigil_session", IsOurCookie: func(n string) bool { return n == "vigil_session" },
		AssertionHeader: "X-Vigil-Assertion", PublicURL: "https://vigil.example.com",
		Transport: http.DefaultTransport, ClientIP: &ClientIP{}, Clock: time.Now,
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv, got
}

const kycRules = `
- name: kyc
  action: allow
  include: [{email_domain: example.com}]
  require: [{verified: ial2}, {verified_within: 720h}]
`

func TestStepUpChallenge(t *testing.T) {
	verified := &store.Session{ID: "s3", UserID: "corp:bob", Identity: identity.Identity{
		Subject: "bob", Email: "bob@example.com", EmailVerified: true, Provider: "corp",
		Verification: &identity.Verification{Provider: "idv", TrustFramework: "nist_800_63A", Level: "ial2", VerifiedAt: time.Now().Add(-time.Hour)}}}
	outsider := &store.Session{ID: "s4", UserID: "corp:eve", Identity: identity.Identity{Subject: "eve", Email: "eve@other.org", EmailVerified: true, Provider: "corp"}}
	sessions := &tableSessions{byCookie: map[string]*store.Session{"a": alice, "b": verified, "e": outsider}}
	acrRules := kycRules + "- {name: strict, action: allow, include: [{email: nobody@example.com}], require: [{acr: [urn:x]}]}\n"
	cases := []struct {
		name     string
		verifier string
		rules    string
		cookie   string
		method   string
		accept   string
		status   int
		wantAuth string // exact WWW-Authenticate, for 401
		wantLoc  string // Location prefix, for 302
	}{
		{name: "api client gets RFC 9470 challenge", verifier: "idv", rules: kycRules, cookie: "a", method: "GET", accept: "application/json", status: 401,
			wantAuth: `Bearer error="insufficient_user_authentication", error_description="identity verification required", acr_values="urn:idv:ial2 urn:idv:ial3", max_age=2592000`},
		{name: "POST gets the challenge too", verifier: "idv", rules: kycRules, cookie: "a", method: "POST", status: 401,
			wantAuth: `Bearer error="insufficient_user_authentication", error_description="identity verification required", acr_values="urn:idv:ial2 urn:idv:ial3", max_age=2592000`},
		{name: "no max_age without verified_within", verifier: "idv", rules: "- {name: v, action: allow, include: [{everyone: true}], require: [{verified: ial2}]}\n",
			cookie: "a", method: "GET", accept: "application/json", status: 401,
			wantAuth: `Bearer error="insufficient_user_authentication", error_description="identity verification required", acr_values="urn:idv:ial2 urn:idv:ial3"`},
		{name: "policy acr wins over configured", verifier: "idv", rules: "- {name: v, action: allow, include: [{everyone: true}], require: [{acr: [urn:p1, urn:p2]}]}\n",
			cookie: "a", method: "GET", accept: "application/json", status: 401,
			wantAuth: `Bearer error="insufficient_user_authentication", error_description="identity verification required", acr_values="urn:p1 urn:p2"`},
		{name: "browser sent to verify", verifier: "idv", rules: kycRules, cookie: "a", method: "GET", accept: "text/html", status: 302,
			wantLoc: "https://vigil.example.com/.vigil/verify?rd=" + url.QueryEscape("https://")},
		{name: "verified user passes", verifier: "idv", rules: kycRules, cookie: "b", method: "GET", accept: "text/html", status: 200},
		{name: "verification cannot help: 403", verifier: "idv", rules: acrRules, cookie: "e", method: "GET", accept: "application/json", status: 403},
		{name: "app without verifier: 403", verifier: "", rules: kycRules, cookie: "a", method: "GET", accept: "application/json", status: 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := newStepUpGateway(t, tc.verifier, tc.rules, sessions)
			req, _ := http.NewRequest(tc.method, srv.URL+"/acct?x=1", nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			req.AddCookie(&http.Cookie{Name: "vigil_session", Value: tc.cookie})
			resp, err := noRedirects(srv.Client()).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.wantAuth != "" {
				if got := resp.Header.Get("WWW-Authenticate"); got != tc.wantAuth {
					t.Fatalf("WWW-Authenticate\n got %s\nwant %s", got, tc.wantAuth)
				}
				if !strings.Contains(string(body), "verification-required") {
					t.Errorf("body %s does not name verification-required", body)
				}
			}
			if tc.wantLoc != "" {
				loc := resp.Header.Get("Location")
				want := "https://vigil.example.com/.vigil/verify?rd=" + url.QueryEscape("https://"+req.URL.Host+"/acct?x=1")
				if loc != want {
					t.Fatalf("Location = %q, want %q", loc, want)
				}
			}
			select {
			case <-got:
				if tc.status != 200 {
					t.Fatal("a denied request reached the upstream")
				}
			default:
				if tc.status == 200 {
					t.Fatal("allowed request did not reach the upstream")
				}
			}
		})
	}
}

func TestStepUpChallengeQuoting(t *testing.T) {
	pol, err := policy.Compile([]config.Rule{{Name: "v", Action: "allow", Include: []config.Selector{{ACR: config.StringList{`a"b\c`}}}}}, "p")
	if err != nil {
		t.Fatal(err)
	}
	d := pol.Evaluate(&policy.Input{Identity: &identity.Identity{Subject: "x"}, Now: time.Now()})
	got := stepUpChallenge(&Route{}, &d)
	if !strings.HasSuffix(got, `acr_values="abc"`) {
		t.Fatalf("challenge %s: a quote or backslash escaped the quoted-string", got)
	}
}

func yamlRules(src string, out *[]config.Rule) error { return yaml.Unmarshal([]byte(src), out) }
