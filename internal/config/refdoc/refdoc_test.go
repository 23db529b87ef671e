package refdoc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md from the config types")

const reference = "../../../docs/configuration.md"

// TestReferenceIsCurrent fails when docs/configuration.md is not what the
// config types and their comments say: regenerate it with -update.
func TestReferenceIsCurrent(t *testing.T) {
	got, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(reference, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(reference)
	if err != nil {
		t.Fatalf("%v (generate it: go test ./internal/config/refdoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/configuration.md is out of date with internal/config: run go test ./internal/config/refdoc -update and commit it")
	}
}

// TestEveryKeyDocumented: every key a user can write has a description
// and a type the reference can name.
func TestEveryKeyDocumented(t *testing.T) {
	got, err := Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(got), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(line, " | ")
		if len(cols) < 3 {
			t.Errorf("malformed row: %s", line)
			continue
		}
		if strings.HasSuffix(line, "| — |") {
			t.Errorf("undocumented: %s (add a doc comment to its field in internal/config)", cols[0][2:])
		}
		if cols[1] == "value" {
			t.Errorf("unnamed type: %s", line)
		}
	}
}

// TestGenerateSmall checks the walk on a package of its own: nested
// objects, lists of objects, maps, pointers, special types, skipped
// fields and the Go-name prefix trimmed from comments.
func TestGenerateSmall(t *testing.T) {
	dir := t.TempDir()
	src := `package config

type Duration int64
type Secret struct{ Env string ` + "`yaml:\"env\"`" + ` }

// Config is the file.
type Config struct {
	// Server is where it listens.
	Server Server ` + "`yaml:\"server\"`" + `
	Apps []App ` + "`yaml:\"apps\"`" + `
	Limits map[string]Duration ` + "`yaml:\"limits\"`" + `
	hidden string
	Skip string ` + "`yaml:\"-\"`" + `
}

// Server is the listener.
type Server struct {
	// Listen is the address. Default ":8080".
	Listen string ` + "`yaml:\"listen\"`" + `
	Key Secret ` + "`yaml:\"key\"`" + ` // the key file
	TLS *TLS ` + "`yaml:\"tls\"`" + `
}

// TLS names files.
type TLS struct {
	// CertFile holds the certificate.
	CertFile string ` + "`yaml:\"cert_file\"`" + `
}

// App is one application.
type App struct {
	// Name are | piped.
	Name string ` + "`yaml:\"name\"`" + `
	Hosts []string ` + "`yaml:\"hosts\"`" + `
}
`
	if err := os.WriteFile(filepath.Join(dir, "types.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## `server`\n\nWhere it listens.\n\nType: object.",
		"| `server.listen` | string | The address. Default \":8080\". |",
		"| `server.key` | secret | The key file |",
		"| `server.tls` | object | — |",
		"| `server.tls.cert_file` | string | `cert_file` holds the certificate. |",
		"## `apps`\n\nApp is one application.\n\nType: list of objects.",
		"| `apps[].name` | string | \\| piped. |",
		"| `apps[].hosts` | list of strings | — |",
		"## `limits`\n\nType: map of name to duration.\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, bad := range []string{"hidden", "Skip", "skip"} {
		if strings.Contains(string(got), "`"+bad) {
			t.Errorf("%s should not appear:\n%s", bad, got)
		}
	}
}
