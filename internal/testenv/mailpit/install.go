package mailpit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Module and Version are what Binary installs when mailpit is missing.
// v1.33.1 builds with Go 1.26 from the module proxy alone.
const (
	Module  = "github.com/axllent/mailpit"
	Version = "v1.33.1"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary returns the path of the mailpit executable: $MAILPIT_BIN if set,
// else mailpit in GOBIN (or GOPATH/bin), else on PATH; failing all three it
// runs `go install Module@Version` into GOBIN once per test binary.
func Binary() (string, error) {
	binaryOnce.Do(func() { binaryPath, binaryErr = findOrInstall() })
	return binaryPath, binaryErr
}

func findOrInstall() (string, error) {
	if p := os.Getenv("MAILPIT_BIN"); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("MAILPIT_BIN=%s is not an executable file", p)
		}
		return p, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		if p, perr := exec.LookPath("mailpit"); perr == nil {
			return p, nil
		}
		return "", fmt.Errorf("mailpit is not installed and the go tool is not on PATH: %w", err)
	}
	bin, err := goBin(goTool)
	if err != nil {
		return "", err
	}
	target := filepath.Join(bin, "mailpit")
	if isExecutable(target) {
		return target, nil
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, nil
	}
	return target, install(goTool, bin, target)
}

// install builds mailpit into a private directory beside the target and
// renames it into place, so test packages installing at the same time
// never see a half-written binary.
func install(goTool, bin, target string) error {
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(bin, ".mailpit-install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(goTool, "install", Module+"@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp)
	cmd.Dir = tmp // outside any module, so the repository's go.mod plays no part
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go install %s@%s failed after %v: %w\n%s", Module, Version,
			time.Since(start).Round(time.Second), err, tail(out, 4096))
	}
	return os.Rename(filepath.Join(tmp, "mailpit"), target)
}

func goBin(goTool string) (string, error) {
	out, err := exec.Command(goTool, "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) == 2 && lines[0] != "" {
		return lines[0], nil
	}
	if len(lines) == 2 && lines[1] != "" {
		// GOPATH may list several directories; go install uses the first.
		return filepath.Join(filepath.SplitList(lines[1])[0], "bin"), nil
	}
	return "", errors.New("go env reports neither GOBIN nor GOPATH")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
