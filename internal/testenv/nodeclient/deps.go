package nodeclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// projectDir is the Node project, relative to the module root.
const projectDir = "testdata/openid-client"

// pkgName is the dependency whose pinned version must be installed.
const pkgName = "openid-client"

// npmTimeout bounds `npm ci`; a cold install takes a second or two.
const npmTimeout = 5 * time.Minute

// inCI reports whether the CI environment variable asks for strict mode, in
// which a test that cannot start the relying party fails instead of skipping.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// findProjectDir walks up from the working directory (a test's package
// directory) to the directory holding go.mod and returns its Node project.
func findProjectDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, projectDir)
			if _, err := os.Stat(filepath.Join(p, "rp.mjs")); err != nil {
				return "", fmt.Errorf("module root %s has no %s/rp.mjs: %w", dir, projectDir, err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// installed reports whether node_modules holds the openid-client version
// that package.json pins, so that a bumped pin triggers a fresh `npm ci`.
func installed(dir string) (bool, error) {
	var want struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &want); err != nil {
		return false, err
	}
	pin := want.Dependencies[pkgName]
	if pin == "" {
		return false, fmt.Errorf("package.json does not pin %s", pkgName)
	}
	var got struct {
		Version string `json:"version"`
	}
	err := readJSON(filepath.Join(dir, "node_modules", pkgName, "package.json"), &got)
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

// ensureDeps runs `npm ci` in dir unless the pinned version is already
// installed. Install scripts are disabled: no dependency needs one, and a
// test run has no business executing them.
func ensureDeps(dir string) error {
	unlock, err := lockFile(filepath.Join(dir, ".npm-ci.lock"))
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	defer unlock()

	ok, err := installed(dir)
	if err != nil || ok {
		return err
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not installed (needed once to install %s/node_modules): %w", projectDir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	if ok, err := installed(dir); err != nil || !ok {
		return fmt.Errorf("npm ci in %s did not install the pinned %s (err %v)", dir, pkgName, err)
	}
	return nil
}
