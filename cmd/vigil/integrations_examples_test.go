package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/authn"
	"github.com/vigil-gw/vigil/internal/config"
)

// The integration guides (docs/integrations) and their example files
// (examples/integrations) are checked together so that neither rots: each
// example passes `vigil config check`, each guide embeds its example
// verbatim between markers, names the exact URIs to register at the IdP,
// and quotes only reason codes Vigil really prints.

const (
	integrationDocs     = "../../docs/integrations"
	integrationExamples = "../../examples/integrations"
)

// integrationURIs are the gateway paths each guide must spell out in full
// (public_url + path) for its example's public_url.
var integrationURIs = map[string][]string{
	"okta":         {authn.PathCallback, authn.PathSignedOut, authn.PathBackchannelLogout},
	"entra-id":     {authn.PathCallback, authn.PathSignedOut, authn.PathBackchannelLogout},
	"google":       {authn.PathCallback},
	"generic-oidc": {authn.PathCallback, authn.PathSignedOut, authn.PathBackchannelLogout},
	"nametag":      {authn.PathCallback},
}

// embedRE finds an embedded example: the marker names the file, the fenced
// block that follows must be the file's content byte for byte.
var embedRE = regexp.MustCompile("(?s)<!-- example: (examples/integrations/[a-z0-9-]+\\.yaml) -->\n```yaml\n(.*?)```\n<!-- end example -->")

var envSecretRE = regexp.MustCompile(`\{env: ([A-Z0-9_]+)\}`)

func TestIntegrationExamples(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join(integrationExamples, "*.yaml"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples in %s: %v", integrationExamples, err)
	}
	var names []string
	for _, ex := range examples {
		names = append(names, strings.TrimSuffix(filepath.Base(ex), ".yaml"))
	}
	if want := slices.Sorted(maps.Keys(integrationURIs)); !slices.Equal(names, want) {
		t.Fatalf("examples %v, want one per guide %v", names, want)
	}
	// Secrets come from the environment, as the guides say.
	for _, ex := range examples {
		b, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range envSecretRE.FindAllStringSubmatch(string(b), -1) {
			t.Setenv(m[1], strings.Repeat("k", 48))
		}
	}
	reasons := authnReasons(t)
	index, err := os.ReadFile(filepath.Join(integrationDocs, "README.md"))
	if err != nil {
		t.Fatalf("the index: %v", err)
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			ex := examples[i]
			code, out, errs := runCmd(t, "config", "check", ex)
			if code != 0 || !strings.Contains(out, ": ok (") {
				t.Fatalf("vigil config check %s: exit %d\n%s%s", ex, code, out, errs)
			}
			guidePath := filepath.Join(integrationDocs, name+".md")
			guide, err := os.ReadFile(guidePath)
			if err != nil {
				t.Fatalf("no guide for %s: %v", ex, err)
			}
			if !bytes.Contains(index, []byte("("+name+".md)")) {
				t.Errorf("docs/integrations/README.md does not link %s.md", name)
			}
			checkEmbed(t, guidePath, guide, ex)
			cfg, err := config.Load(ex)
			if err != nil {
				t.Fatal(err)
			}
			public := strings.TrimSuffix(cfg.Server.PublicURL, "/")
			for _, p := range integrationURIs[name] {
				if !bytes.Contains(guide, []byte(public+p)) {
					t.Errorf("%s does not name %s%s", guidePath, public, p)
				}
			}
			checkReasons(t, guidePath, guide, reasons)
		})
	}
}

// checkEmbed requires exactly one embedded example in the guide, equal to
// the example file.
func checkEmbed(t *testing.T, guidePath string, guide []byte, example string) {
	t.Helper()
	m := embedRE.FindAllSubmatch(guide, -1)
	if len(m) != 1 {
		t.Errorf("%s: want one embedded example (<!-- example: ... --> fenced yaml <!-- end example -->), found %d", guidePath, len(m))
		return
	}
	if got, want := string(m[0][1]), "examples/integrations/"+filepath.Base(example); got != want {
		t.Errorf("%s embeds %s, want %s", guidePath, got, want)
	}
	file, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m[0][2], file) {
		t.Errorf("%s: the embedded YAML differs from %s; copy the file into the guide again", guidePath, example)
	}
}

// troubleRowRE is a table row of a Troubleshooting section whose first
// cell quotes reason codes; codeRE finds each of them.
var (
	troubleRowRE = regexp.MustCompile("^\\| (`[a-z0-9-]+`(?:, `[a-z0-9-]+`)*) \\|")
	codeRE       = regexp.MustCompile("`([a-z0-9-]+)`")
)

// checkReasons requires every reason code quoted in the first column of
// the guide's Troubleshooting table to be one authn really uses.
func checkReasons(t *testing.T, guidePath string, guide []byte, reasons map[string]bool) {
	t.Helper()
	in, rows := false, 0
	for _, line := range strings.Split(string(guide), "\n") {
		if strings.HasPrefix(line, "## ") {
			in = strings.HasPrefix(line, "## Troubleshooting")
			continue
		}
		if !in {
			continue
		}
		m := troubleRowRE.FindStringSubmatch(line)
		if m == nil {
			if strings.HasPrefix(line, "| `") {
				t.Errorf("%s: troubleshooting row %q: the first cell must list only reason codes", guidePath, line)
			}
			continue
		}
		rows++
		for _, c := range codeRE.FindAllStringSubmatch(m[1], -1) {
			if !reasons[c[1]] {
				t.Errorf("%s: troubleshooting quotes %q, which is not a reason code of internal/authn", guidePath, c[1])
			}
		}
	}
	if rows == 0 {
		t.Errorf("%s: no ## Troubleshooting table with reason codes", guidePath)
	}
}

// authnReasons collects the string constants of internal/authn (reason
// codes for sign-in and back-channel logout), read from its source.
func authnReasons(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("../../internal/authn/*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				for _, v := range s.(*ast.ValueSpec).Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							out[s] = true
						}
					}
				}
			}
		}
	}
	if !out["id-token-issuer-mismatch"] {
		t.Fatal("internal/authn's reason constants were not found; the parser went wrong")
	}
	return out
}

// TestIntegrationPolicies runs the guides' policy claims through `vigil
// policy test`: Google's hd claim tells Workspace accounts from personal
// ones, and Okta's groups decide.
func TestIntegrationPolicies(t *testing.T) {
	t.Setenv("VIGIL_SECRET", strings.Repeat("s", 48))
	for _, v := range []string{"VIGIL_GOOGLE_CLIENT_SECRET", "VIGIL_OKTA_CLIENT_SECRET"} {
		t.Setenv(v, "x")
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	workspace := write("ws.json", `{"sub":"1","provider":"google","email":"ann@example.com","email_verified":true,"claims":{"hd":"example.com"}}`)
	otherHD := write("other.json", `{"sub":"2","provider":"google","email":"ann@example.com","email_verified":true,"claims":{"hd":"example.net"}}`)
	personal := write("personal.json", `{"sub":"3","provider":"google","email":"ann@example.com","email_verified":true,"claims":{}}`)
	staff := write("staff.json", `{"sub":"4","provider":"okta","email":"bo@example.com","email_verified":true,"groups":["Everyone-Staff"]}`)
	contractor := write("contractor.json", `{"sub":"5","provider":"okta","email":"cy@example.com","email_verified":true,"groups":["Everyone-Staff","Contractors"]}`)
	unverified := write("unverified.json", `{"sub":"6","provider":"okta","email":"di@example.com","groups":["Everyone-Staff"]}`)
	cases := []struct {
		name, example, app, identity string
		wantCode                     int
		want                         string
	}{
		{"google workspace account", "google", "wiki", workspace, 0, `allow by rule "workspace-staff"`},
		{"google other workspace", "google", "wiki", otherHD, 1, "no-include-matched"},
		{"google account without hd", "google", "wiki", personal, 1, "no-include-matched"},
		{"google payroll without hd", "google", "payroll", personal, 1, "deny"},
		{"okta staff", "okta", "wiki", staff, 0, `allow by rule "staff"`},
		{"okta contractor", "okta", "wiki", contractor, 1, "denied-by:no-contractors"},
		{"okta unverified email", "okta", "wiki", unverified, 1, "deny"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd(t, "policy", "test", "--config", filepath.Join(integrationExamples, tc.example+".yaml"),
				"--app", tc.app, "--identity", tc.identity)
			if code != tc.wantCode || !strings.Contains(out+errs, tc.want) {
				t.Errorf("exit %d, output:\n%s%s\nwant exit %d containing %q", code, out, errs, tc.wantCode, tc.want)
			}
		})
	}
}
