package proc

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// InCI reports whether the CI environment variable asks for strict mode, in
// which a test that cannot start its child fails instead of skipping.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Unavailable ends t because a tool it needs is missing: a skip, or a
// failure when CI is set, so that CI never passes by skipping.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf(format+" (required when CI is set)", args...)
	}
	t.Skipf(format, args...)
}

// ModuleRoot walks up from the working directory (a test's package
// directory) to the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a port on 127.0.0.1 that was free a moment ago; name
// prefixes the failure message. Another process may take it before the
// child listens, which then fails its start clearly.
func FreePort(t testing.TB, name string) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("%s: pick a port: %v", name, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
