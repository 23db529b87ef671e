package policy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the policy core pure: nothing it links, directly or
// through a dependency, may speak HTTP or reach a database, and its own
// imports may not log, touch the file system or the network.
func TestImports(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	list := func(format string) []string {
		out, err := exec.Command(goTool, "list", "-deps=false", "-f", format, ".").Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	deps := list(`{{join .Deps " "}}`)
	if len(deps) == 0 {
		t.Fatal("go list found no dependencies; the test would pass vacuously")
	}
	forbiddenDeps := []string{"net/http", "database/", "modernc.org/sqlite", "github.com/jackc/", "github.com/lib/pq"}
	for _, d := range deps {
		for _, f := range forbiddenDeps {
			if d == strings.TrimSuffix(f, "/") || strings.HasPrefix(d, strings.TrimSuffix(f, "/")+"/") {
				t.Errorf("policy depends on %s (forbidden: %s)", d, f)
			}
		}
	}
	forbiddenImports := map[string]bool{"log": true, "log/slog": true, "os": true, "os/exec": true, "net": true, "net/http": true, "database/sql": true, "io/fs": true}
	for _, imp := range list(`{{join .Imports " "}}`) {
		if forbiddenImports[imp] {
			t.Errorf("policy imports %s directly", imp)
		}
	}
}
