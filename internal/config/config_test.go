package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const goodYAML = `
server:
  public_url: https://vigil.example.com/
  trusted_proxies: [10.0.0.0/8, 192.168.1.1]
session:
  secret: {value: "0123456789abcdef0123456789abcdef"}
  cookie_domain: example.com
providers:
  - name: corp
    issuer: https://login.example.com
    client_id: vigil
    client_secret: {env: TEST_VIGIL_CLIENT_SECRET}
verifiers:
  - name: idv
    issuer: https://verify.example.com/
    client_id: vigil-idv
    acr_values: [urn:example:ial2]
    acr_levels: {"urn:example:ial2": ial2}
apps:
  - name: wiki
    host: wiki.example.com
    upstream: http://127.0.0.1:3000
    verifier: idv
    policies:
      - action: allow
        include: [{email_domain: example.com}]
        require: [{verified: ial2}, {verified_within: 720h}]
`

func TestParseGoodAppliesDefaults(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "s3cret")
	c, err := Parse([]byte(goodYAML))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"listen", c.Server.Listen, ":8080"},
		{"public url trimmed", c.Server.PublicURL, "https://vigil.example.com"},
		{"cookie name with domain", c.Session.CookieName, "vigil_session"},
		{"idle", c.Session.IdleTimeout.D(), time.Hour},
		{"absolute", c.Session.AbsoluteTimeout.D(), 12 * time.Hour},
		{"driver", c.Store.Driver, "sqlite"},
		{"header", c.Assertion.Header, "X-Vigil-Assertion"},
		{"ttl", c.Assertion.TTL.D(), 5 * time.Minute},
		{"scopes", strings.Join(c.Providers[0].Scopes, " "), "openid email profile"},
		{"algs", strings.Join(c.Providers[0].SigningAlgs, " "), "RS256 ES256"},
		{"prefix", c.Apps[0].PathPrefix, "/"},
		{"email selector", c.Apps[0].Policies[0].Include[0].EmailDomain[0], "example.com"},
		{"verifier issuer trimmed", c.Verifiers[0].Issuer, "https://verify.example.com"},
		{"verifier scopes", strings.Join(c.Verifiers[0].Scopes, " "), "openid"},
		{"verifier algs", strings.Join(c.Verifiers[0].SigningAlgs, " "), "RS256 ES256"},
		{"verifier skew", c.Verifiers[0].ClockSkew.D(), time.Minute},
		{"verifier acr level", c.Verifiers[0].ACRLevels["urn:example:ial2"], "ial2"},
		{"app verifier", c.Apps[0].Verifier, "idv"},
		{"verified selector", c.Apps[0].Policies[0].Require[0].Verified, "ial2"},
		{"verified_within selector", c.Apps[0].Policies[0].Require[1].VerifiedWithin.D(), 720 * time.Hour},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if got, _ := c.Providers[0].ClientSecret.Resolve(); got != "s3cret" {
		t.Errorf("client secret from env not resolved")
	}
}

func TestHostCookieName(t *testing.T) {
	y := strings.Replace(goodYAML, "  cookie_domain: example.com\n", "", 1)
	y = strings.Replace(y, "    host: wiki.example.com\n", "", 1)
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	c, err := Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if c.Session.CookieName != "__Host-vigil_session" {
		t.Errorf("cookie name = %q, want __Host- prefix under https without domain", c.Session.CookieName)
	}
}

// TestEveryProblemReported checks that one pass reports all problems, each
// with its path, against a golden file.
func TestEveryProblemReported(t *testing.T) {
	bad := `
server:
  listen: "8080"
  public_url: ftp://x/y
  trusted_proxies: [10.0.0.0/33]
  tls: {cert_file: a.pem}
session:
  secret: {env: TEST_VIGIL_UNSET_SECRET}
  idle_timeout: 24h
  cookie_domain: other.org
store: {driver: mongodb}
assertion: {ttl: 10s, header: "bad header"}
log: {level: loud}
providers:
  - name: Corp
    issuer: http://login.example.com
    signing_algs: [HS256, none]
  - name: dup
    issuer: https://a.example
    client_id: x
  - name: dup
    issuer: https://a.example
    client_id: x
verifiers:
  - name: Idv
    issuer: http://verify.example.com
    signing_algs: [HS256]
    clock_skew: 1h
    acr_values: ["a b", ok, ok]
    acr_levels: {ok: ial9}
  - name: idv
    issuer: https://verify.example.com
    client_id: x
apps:
  - name: wiki
    upstream: "javascript:alert(1)"
    path_prefix: nope
    providers: [ghost]
    policies:
      - action: permit
  - name: wiki
    host: wiki.example.com
    upstream: http://u
    path_prefix: /.vigil/x
  - name: docs
    upstream: http://u
    path_prefix: /a/../b
    policies: [{action: bypass, include: [{everyone: true}]}]
  - name: kyc
    upstream: http://u
    path_prefix: /kyc
    verifier: ghost
    policies: [{action: allow, include: [{everyone: true}]}]
  - name: bank
    upstream: http://u
    path_prefix: /bank
    policies: [{action: allow, include: [{everyone: true}], require: [{verified: ial2}, {verified_within: 24h}]}]
`
	_, err := Parse([]byte(bad))
	if err == nil {
		t.Fatal("Parse accepted a bad file")
	}
	golden(t, "problems.golden", err.Error()+"\n")
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"unknown key", "server: {listne: x}", "field listne not found"},
		{"bad duration", "session: {idle_timeout: forever}", "want a duration"},
		{"two documents", "server: {}\n---\nserver: {}\n", "more than one YAML document"},
		{"wrong type", "apps: 3", "cannot unmarshal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSecretSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	empty := filepath.Join(dir, "e")
	os.WriteFile(empty, nil, 0o600)
	t.Setenv("TEST_VIGIL_S", "from-env")
	cases := []struct {
		name    string
		s       Secret
		want    string
		wantErr string
	}{
		{"env", Secret{Env: "TEST_VIGIL_S"}, "from-env", ""},
		{"file trims newline", Secret{File: file}, "from-file", ""},
		{"value", Secret{Value: "v"}, "v", ""},
		{"none", Secret{}, "", "no secret source"},
		{"two", Secret{Env: "A", Value: "b"}, "", "only one"},
		{"missing env", Secret{Env: "TEST_VIGIL_NOPE"}, "", "not set"},
		{"empty file", Secret{File: empty}, "", "empty"},
	}
	for _, tc := range cases {
		got, err := tc.s.Resolve()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v", tc.name, got, err)
		}
	}
	if s := (Secret{Value: "hunter2"}).String(); strings.Contains(s, "hunter2") {
		t.Errorf("String leaks the secret: %s", s)
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(goodYAML))
	f.Add([]byte("apps: [{name: a, policies: [{action: allow, include: [{email: [a, b]}]}]}]"))
	f.Add([]byte("session: {secret: {env: X, file: Y}}"))
	f.Add([]byte("server: {trusted_proxies: [\"::1/129\"]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

func TestPathPrefixNormalised(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	y := strings.Replace(goodYAML, "    upstream: http://127.0.0.1:3000\n", "    upstream: http://127.0.0.1:3000\n    path_prefix: /admin/\n", 1)
	y = strings.Replace(y, "host: wiki.example.com", "host: Wiki.Example.com.", 1)
	c, err := Parse([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Apps[0]; a.PathPrefix != "/admin" || a.Host != "wiki.example.com" {
		t.Errorf("prefix %q host %q, want /admin and wiki.example.com", a.PathPrefix, a.Host)
	}
}

func TestIDV(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	good := goodYAML + `
idv:
  issuer: https://vigil.example.com/idv/
  clients: [{client_id: vigil, client_secret: {value: s}, redirect_uris: [https://vigil.example.com/.vigil/callback]}]
  mail: {host: smtp.example.com, from: it@example.com}
  allowed_email_domains: [example.com]
`
	c, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.IDV.Issuer != "https://vigil.example.com/idv" || c.IDV.Mail.Port != 587 || c.IDV.Mail.TLS != "starttls" || c.IDV.EvidenceRetention.D() != 720*time.Hour {
		t.Errorf("idv defaults: %+v", c.IDV)
	}
	bad := goodYAML + `
idv:
  issuer: http://idv.example.com
  clients: [{redirect_uris: ["http://evil.example/cb"]}]
  mail: {host: smtp.example.com, from: nobody, tls: none}
  allowed_email_domains: ["not a domain"]
  evidence_retention: 1m
  review: {listen: 127.0.0.1:8091, app: nope}
`
	_, err = Parse([]byte(bad))
	for _, want := range []string{"idv.issuer", "idv.clients[0].client_id", "idv.clients[0].redirect_uris[0]", "idv.mail.from",
		"idv.mail.tls", "idv.allowed_email_domains[0]", "idv.evidence_retention", "idv.review.groups", "idv.review.app"} {
		if err == nil || !strings.Contains(err.Error(), want+":") {
			t.Errorf("missing problem %s in:\n%v", want, err)
		}
	}
}

func TestVerifierLoginHint(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	c, err := Parse([]byte(goodYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Verifiers[0].LoginHint; got != LoginHintEmail {
		t.Errorf("default login_hint %q, want %q", got, LoginHintEmail)
	}
	tests := []struct {
		value   string
		wantErr bool
	}{
		{"email", false},
		{"assertion", false},
		{"Assertion", true},
		{"id_token", true},
		{"email assertion", true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			y := strings.Replace(goodYAML, "    client_id: vigil-idv\n", "    client_id: vigil-idv\n    login_hint: "+tt.value+"\n", 1)
			c, err := Parse([]byte(y))
			gotErr := err != nil && strings.Contains(err.Error(), "verifiers[0].login_hint:")
			if gotErr != tt.wantErr {
				t.Fatalf("login_hint %q: err %v, want a login_hint problem: %v", tt.value, err, tt.wantErr)
			}
			if !tt.wantErr && c.Verifiers[0].LoginHint != tt.value {
				t.Errorf("login_hint %q parsed as %q", tt.value, c.Verifiers[0].LoginHint)
			}
		})
	}
}

func TestIDVGatewayURL(t *testing.T) {
	t.Setenv("TEST_VIGIL_CLIENT_SECRET", "x")
	tests := []struct {
		value   string
		want    string // after defaults; "" with wantErr
		wantErr bool
	}{
		{"https://vigil.example.com/", "https://vigil.example.com", false},
		{"http://localhost:8080", "http://localhost:8080", false},
		{"http://vigil.example.com", "", true},
		{"https://vigil.example.com/gw", "", true},
		{"https://user@vigil.example.com", "", true},
		{"vigil.example.com", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			y := goodYAML + `
idv:
  issuer: https://vigil.example.com/idv
  gateway_url: ` + tt.value + `
  clients: [{client_id: vigil, redirect_uris: [https://vigil.example.com/.vigil/callback]}]
  mail: {host: smtp.example.com, from: it@example.com}
`
			c, err := Parse([]byte(y))
			gotErr := err != nil && strings.Contains(err.Error(), "idv.gateway_url:")
			if gotErr != tt.wantErr || (!tt.wantErr && err != nil) {
				t.Fatalf("gateway_url %q: err %v, want a gateway_url problem: %v", tt.value, err, tt.wantErr)
			}
			if !tt.wantErr && c.IDV.GatewayURL != tt.want {
				t.Errorf("gateway_url %q became %q, want %q", tt.value, c.IDV.GatewayURL, tt.want)
			}
		})
	}
}
