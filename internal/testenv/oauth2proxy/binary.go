package oauth2proxy

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

const (
	// Module and Version pin the oauth2-proxy build the tests run.
	Module  = "github.com/oauth2-proxy/oauth2-proxy/v7"
	Version = "v7.15.6"
	binName = "oauth2-proxy"
	// installTimeout bounds `go install`; a cold build takes about a minute
	// on two cores, longer when the module cache is empty.
	installTimeout = 10 * time.Minute
)

// errNoGo means the binary is missing and cannot be built here.
var errNoGo = errors.New("oauth2-proxy is not installed and the go command is not available to build it")

// candidates lists where `go install` puts binaries (GOBIN, then
// GOPATH/bin) and then PATH, without duplicates.
func candidates(goEnv func(string) string) []string {
	var out []string
	add := func(p string) {
		if p != "" && !containsString(out, p) {
			out = append(out, p)
		}
	}
	if d := goEnv("GOBIN"); d != "" {
		add(filepath.Join(d, binName))
	}
	for _, d := range filepath.SplitList(goEnv("GOPATH")) {
		if d != "" {
			add(filepath.Join(d, "bin", binName))
		}
	}
	if p, err := exec.LookPath(binName); err == nil {
		add(p)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pinned reports whether the binary at path was built from Module at
// Version, read from the build information Go embeds in every binary.
func pinned(path string) bool {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return false
	}
	return info.Main.Path == Module && info.Main.Version == Version
}

// findBinary returns the first pinned candidate, or "".
func findBinary(goEnv func(string) string) string {
	for _, p := range candidates(goEnv) {
		if pinned(p) {
			return p
		}
	}
	return ""
}

// goEnvFunc asks the go command for its environment (GOBIN, GOPATH), falling
// back to the process environment.
func goEnvFunc(goBin string) func(string) string {
	return func(key string) string {
		if goBin != "" {
			out, err := exec.Command(goBin, "env", key).Output()
			if err == nil {
				return strings.TrimSpace(string(out))
			}
		}
		return os.Getenv(key)
	}
}

// ensureBinary finds the pinned oauth2-proxy or builds it with `go install`
// under a lock, so that parallel test binaries build it once.
func ensureBinary() (string, error) {
	goBin, _ := exec.LookPath("go")
	if goBin == "" {
		if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); os.Getenv("GOROOT") != "" {
			if _, err := os.Stat(p); err == nil {
				goBin = p
			}
		}
	}
	env := goEnvFunc(goBin)
	if p := findBinary(env); p != "" {
		return p, nil
	}
	if goBin == "" {
		return "", errNoGo
	}
	unlock, err := proc.LockFile(filepath.Join(os.TempDir(), "vigil-oauth2-proxy-install.lock"))
	if err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer unlock()
	if p := findBinary(env); p != "" { // built by another test binary meanwhile
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", Module+"@"+Version)
	cmd.Dir = os.TempDir() // outside any module: the pin alone decides
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go install %s@%s: %w\n%s", Module, Version, err, out)
	}
	if p := findBinary(env); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("go install %s@%s succeeded but no pinned binary is in GOBIN, GOPATH/bin or PATH", Module, Version)
}
