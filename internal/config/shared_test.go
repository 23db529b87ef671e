package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// localYAML is a replica's own file: complete, so that it runs alone
// until a shared version exists.
const localYAML = `
server:
  public_url: https://vigil.example.com
session:
  secret: {value: "0123456789abcdef0123456789abcdef"}
  cookie_domain: example.com
store:
  driver: postgres
  dsn: postgres://vigil@db.internal/vigil
  shared_config: true
assertion: {ttl: 2m}
log: {level: debug}
admin: {token: {value: "local-admin-token-0123456789"}}
ssf:
  transmitters:
    - name: idp
      issuer: https://idp.example.com
      jwks_uri: https://idp.example.com/jwks
      push_token: {value: "local-ssf-push-token-0123456789"}
providers:
  - name: old
    issuer: https://old.example.com
    client_id: c
risk: {thresholds: {medium: 30, high: 60}}
apps:
  - name: old
    upstream: http://127.0.0.1:1
    policies: [{action: allow, include: [{everyone: true}]}]
`

// sharedYAML has a go at every per-replica section too: they must be
// dropped, never stored, never applied.
const sharedYAML = `# fleet policy, reviewed in PR 42

server:
  public_url: https://evil.example.net
session:
  secret: {value: "shared-doc-secret-must-not-be-stored-0123"}
store: {driver: sqlite}
providers:
  - name: corp # the IdP
    issuer: https://login.example.com
    client_id: vigil
    client_secret: {env: VIGIL_CORP_SECRET}
verifiers:
  - name: idv
    issuer: https://verify.example.com
    client_id: vigil-idv
idv:
  issuer: https://vigil.example.com/idv
  dev_mailbox: true
  clients: [{client_id: gw, redirect_uris: ["https://vigil.example.com/.vigil/callback"]}]
risk:
  thresholds: {medium: 45, high: 80}
admin: {token: {value: "shared-admin-token-0123456789"}}
apps:
  - name: wiki
    host: wiki.example.com
    upstream: http://127.0.0.1:3000
    verifier: idv
    policies: [{action: allow, include: [{group: engineers}]}]
`

func TestSectionsCoverConfig(t *testing.T) {
	typ := reflect.TypeFor[Config]()
	seen := map[string]bool{}
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		local, shared := slices.Contains(LocalSections, name), slices.Contains(SharedSections, name)
		if local == shared {
			t.Errorf("section %q: must be in exactly one of LocalSections and SharedSections", name)
		}
		seen[name] = true
	}
	for _, name := range append(slices.Clone(LocalSections), SharedSections...) {
		if !seen[name] {
			t.Errorf("%q is not a section of Config", name)
		}
	}
}

func TestParseSharedDropsLocalSections(t *testing.T) {
	sh, err := ParseShared([]byte(sharedYAML))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"server", "session", "store", "admin"}; !slices.Equal(sh.Ignored, want) {
		t.Errorf("ignored %v, want %v", sh.Ignored, want)
	}
	doc := string(sh.Doc)
	for _, gone := range []string{"evil.example.net", "shared-doc-secret", "shared-admin-token", "sqlite"} {
		if strings.Contains(doc, gone) {
			t.Errorf("stored document still holds %q:\n%s", gone, doc)
		}
	}
	for _, kept := range []string{"# fleet policy, reviewed in PR 42", "# the IdP", "group: engineers", "env: VIGIL_CORP_SECRET"} {
		if !strings.Contains(doc, kept) {
			t.Errorf("stored document lost %q:\n%s", kept, doc)
		}
	}
	// The stored document is itself a clean shared document.
	again, err := ParseShared(sh.Doc)
	if err != nil || again.Ignored != nil || string(again.Doc) != doc {
		t.Fatalf("stored document does not parse back as it is: %v %v", err, again)
	}
}

func TestParseSharedKeepsCleanDocumentVerbatim(t *testing.T) {
	in := "# only shared\napps:   [] # odd spacing kept\n"
	sh, err := ParseShared([]byte(in))
	if err != nil || string(sh.Doc) != in || sh.Ignored != nil {
		t.Fatalf("got %q %v %v", sh.Doc, sh.Ignored, err)
	}
}

func TestParseSharedRefuses(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", "", "empty"},
		{"unknown section", "apps: []\nappz: []\n", "field appz not found"},
		{"unknown key in an app", "apps: [{name: a, upstreem: x}]\n", "field upstreem not found"},
		{"unknown key in a dropped section", "server: {pubic_url: x}\napps: []\n", "field pubic_url not found"},
		{"two documents", "apps: []\n---\napps: []\n", "more than one YAML document"},
		{"a list", "- apps\n", "cannot unmarshal"},
		{"a scalar", "~\n", "mapping of sections"},
		{"not YAML", "apps: [\n", "did not find expected"},
		{"too large", "#" + strings.Repeat("x", MaxSharedSize), "larger than"},
		{"alias into a dropped section", "server: {public_url: &u https://x.example.com}\nproviders: [{name: a, issuer: *u}]\n", "per-replica sections"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseShared([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCombineTakesEachSectionFromItsSide(t *testing.T) {
	t.Setenv("VIGIL_CORP_SECRET", "s")
	local, err := Parse([]byte(localYAML))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ParseShared([]byte(sharedYAML))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := sh.Combine(local)
	if err != nil {
		t.Fatal(err)
	}
	if err := merged.Validate(); err != nil {
		t.Fatal(err)
	}
	shared, err := decode(sh.Doc)
	if err != nil {
		t.Fatal(err)
	}
	m, l, s := reflect.ValueOf(*merged), reflect.ValueOf(*local), reflect.ValueOf(*shared)
	for i := range m.NumField() {
		name, _, _ := strings.Cut(m.Type().Field(i).Tag.Get("yaml"), ",")
		from, other := l, s
		if slices.Contains(SharedSections, name) {
			from, other = s, l
		}
		if !reflect.DeepEqual(m.Field(i).Interface(), from.Field(i).Interface()) {
			t.Errorf("section %s does not come from the right side", name)
		}
		if reflect.DeepEqual(m.Field(i).Interface(), other.Field(i).Interface()) {
			t.Errorf("section %s: the test's two sides agree, so it proves nothing", name)
		}
	}
	if merged.Risk.Thresholds.Medium != 45 || merged.Store.DSN != "postgres://vigil@db.internal/vigil" || !merged.Store.SharedConfig {
		t.Errorf("merged: risk %+v store %+v", merged.Risk.Thresholds, merged.Store)
	}
	// Combining again makes a configuration of its own.
	again, _ := sh.Combine(local)
	again.Apps[0].Name = "changed"
	if merged.Apps[0].Name != "wiki" {
		t.Error("two merges share their apps")
	}
}

// TestCombinedValidatesAsAWhole: a shared document is judged with this
// replica's own sections; every problem is reported, with its path.
func TestCombinedValidatesAsAWhole(t *testing.T) {
	local, err := Parse([]byte(localYAML))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ParseShared([]byte(`
providers: [{name: corp, issuer: "http://login.example.com", client_id: vigil}]
apps:
  - name: wiki
    host: wiki.example.org
    upstream: http://127.0.0.1:3000
    providers: [nope]
    policies: [{action: allow, include: [{everyone: true}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := sh.Combine(local)
	if err != nil {
		t.Fatal(err)
	}
	ps := Problems(merged.Validate())
	want := []string{"providers[0].issuer", "apps[0].host", "outside session.cookie_domain", "apps[0].providers[0]"}
	for _, w := range want {
		if !strings.Contains(strings.Join(ps, "\n"), w) {
			t.Errorf("problems %q lack %q", ps, w)
		}
	}
	if len(ps) != 3 {
		t.Errorf("want 3 problems, one a line, got %d: %q", len(ps), ps)
	}
	// Without apps the replica would serve nothing: refused too.
	empty, err := ParseShared([]byte("store: {driver: sqlite}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if merged, err := empty.Combine(local); err != nil || merged.Validate() == nil || !strings.Contains(merged.Validate().Error(), "no apps configured") {
		t.Fatalf("empty shared document: %v", err)
	}
}

func TestProblems(t *testing.T) {
	if Problems(nil) != nil {
		t.Error("nil error has problems")
	}
	_, err := Parse([]byte("apps: [{name: a, upstreem: x, hots: y}]\n"))
	if ps := Problems(err); len(ps) != 2 {
		t.Errorf("decoder's two lines: %q", ps)
	}
}

func FuzzParseShared(f *testing.F) {
	for _, s := range []string{sharedYAML, localYAML, goodYAML, "", "apps: []", "server: {}\n", "~", "- a",
		"server: {public_url: &u x}\nproviders: [{issuer: *u}]\n", "apps: [\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sh, err := ParseShared(b)
		if err != nil {
			return
		}
		// What is stored parses back, clean, as it is.
		again, err := ParseShared(sh.Doc)
		if err != nil {
			t.Fatalf("stored document %q does not parse: %v", sh.Doc, err)
		}
		if again.Ignored != nil || string(again.Doc) != string(sh.Doc) {
			t.Fatalf("stored document changes when parsed again: %q -> %q (%v)", sh.Doc, again.Doc, again.Ignored)
		}
		for _, k := range sh.Ignored {
			if !slices.Contains(LocalSections, k) {
				t.Fatalf("ignored %q, not a per-replica section", k)
			}
		}
	})
}
