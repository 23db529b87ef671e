package proc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// npmTimeout bounds `npm ci`; a cold install takes a few seconds.
const npmTimeout = 5 * time.Minute

// NodeProject is a pinned Node.js project under the module root.
type NodeProject struct {
	Dir     string // relative to the module root, e.g. "testdata/oidc-provider"
	Script  string // the entry point in Dir, e.g. "server.mjs"
	Package string // the dependency whose pinned version must be installed
}

// Node readies p for t: it finds node (see Unavailable), locates the
// project and installs its dependencies on first use. It returns the node
// binary and the project's absolute directory; name prefixes messages.
func Node(t testing.TB, name string, p NodeProject) (node, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		Unavailable(t, "%s: node is not installed, needed for the %s test: %v", name, p.Package, err)
	}
	dir, err = p.find()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := EnsureNPM(dir, p.Package); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return node, dir
}

// find returns the project's directory, checking that its script exists.
func (p NodeProject) find() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, p.Dir)
	if _, err := os.Stat(filepath.Join(dir, p.Script)); err != nil {
		return "", fmt.Errorf("module root %s has no %s/%s: %w", root, p.Dir, p.Script, err)
	}
	return dir, nil
}

// Installed reports whether dir/node_modules holds the version of pkg that
// dir/package.json pins, so that a bumped pin triggers a fresh `npm ci`.
func Installed(dir, pkg string) (bool, error) {
	var want struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &want); err != nil {
		return false, err
	}
	pin := want.Dependencies[pkg]
	if pin == "" {
		return false, fmt.Errorf("package.json does not pin %s", pkg)
	}
	var got struct {
		Version string `json:"version"`
	}
	err := readJSON(filepath.Join(dir, "node_modules", pkg, "package.json"), &got)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return got.Version == pin, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// EnsureNPM runs `npm ci` in dir, under a lock, unless the pinned version
// of pkg is already installed. Install scripts are disabled: no dependency
// needs one, and a test run has no business executing them.
func EnsureNPM(dir, pkg string) error {
	unlock, err := LockFile(filepath.Join(dir, ".npm-ci.lock"))
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	defer unlock()

	ok, err := Installed(dir, pkg)
	if err != nil || ok {
		return err
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not installed (needed once to install %s/node_modules): %w", dir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	if ok, err := Installed(dir, pkg); err != nil || !ok {
		return fmt.Errorf("npm ci in %s did not install the pinned %s (err %v)", dir, pkg, err)
	}
	return nil
}
