package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// ArtefactDir is where t's screenshots go: $VIGIL_ARTIFACTS/<test> when
// set, else artifacts/<test> under the module root (git-ignored), so that
// CI and a developer both find them after the run, failed or not. It is
// emptied first: what it holds is this run's.
func ArtefactDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("VIGIL_ARTIFACTS")
	if root == "" {
		mod, err := proc.ModuleRoot()
		if err != nil {
			t.Fatalf("artefact directory: %v", err)
		}
		root = filepath.Join(mod, "artifacts")
	}
	dir := filepath.Join(root, safeName(t.Name()))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// safeName turns a test name (subtests have slashes, table names have
// anything) into one path element.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, name)
}
