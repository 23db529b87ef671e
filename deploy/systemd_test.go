package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// maxExposure is the highest `systemd-analyze security` exposure the units
// may have (0 is the most locked down, 10 the least). They score 1.4 with
// systemd 252; a change that loosens the sandbox past this fails.
const maxExposure = 2.0

var units = []string{"vigil.service", "vigil-verifier.service"}

// analyze returns systemd-analyze's path. Without it the test skips, the
// tool not being needed to use the units, except under CI, which installs
// it: there a missing tool would leave the units unchecked on every run.
func analyze(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("systemd-analyze")
	if err != nil {
		proc.Unavailable(t, "systemd-analyze not installed (Debian: systemd); the units are not checked")
	}
	return p
}

// unitCopy writes the unit to a temporary directory under its own name,
// with the binary's path pointing at an executable that exists here (this
// test binary): `verify` refuses a unit whose command is missing, and
// /usr/local/bin/vigil is not installed on a build machine.
func unitCopy(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("systemd", name))
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("ExecStart=/usr/local/bin/vigil ")) {
		t.Fatalf("%s: no ExecStart=/usr/local/bin/vigil line", name)
	}
	b = bytes.ReplaceAll(b, []byte("/usr/local/bin/vigil "), []byte(self+" "))
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUnitsVerify runs `systemd-analyze verify`: any message (an unknown
// key is only a warning with exit status 0) fails the test.
func TestUnitsVerify(t *testing.T) {
	sa := analyze(t)
	for _, name := range units {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(sa, "verify", "--man=no", unitCopy(t, name)).CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Fatalf("systemd-analyze verify %s: %v\n%s", name, err, out)
			}
		})
	}
}

var exposureRE = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`)

// TestUnitsExposure keeps the sandbox from loosening unnoticed.
func TestUnitsExposure(t *testing.T) {
	sa := analyze(t)
	for _, name := range units {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(sa, "security", "--offline=true", "--no-pager", unitCopy(t, name)).CombinedOutput()
			if err != nil && bytes.Contains(out, []byte("--offline")) {
				proc.Unavailable(t, "this systemd-analyze has no offline security review (systemd 250 or later): %s", out)
			}
			m := exposureRE.FindSubmatch(out)
			if m == nil {
				t.Fatalf("systemd-analyze security %s: %v; no exposure level in:\n%s", name, err, out)
			}
			level, perr := strconv.ParseFloat(string(m[1]), 64)
			if perr != nil {
				t.Fatal(perr)
			}
			t.Logf("%s: exposure %.1f", name, level)
			if level > maxExposure {
				t.Errorf("%s: exposure %.1f, want at most %.1f; what is open:\n%s", name, level, maxExposure, open(out))
			}
		})
	}
}

// open keeps the review's failed lines.
func open(out []byte) string {
	var b strings.Builder
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "✗") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestUnitsReload: `vigil serve` reloads on SIGHUP, `vigil verifier` does
// not handle it, so a reload there would kill the process.
func TestUnitsReload(t *testing.T) {
	for name, want := range map[string]bool{"vigil.service": true, "vigil-verifier.service": false} {
		b, err := os.ReadFile(filepath.Join("systemd", name))
		if err != nil {
			t.Fatal(err)
		}
		got := regexp.MustCompile(`(?m)^ExecReload=.*kill -HUP \$MAINPID$`).Match(b)
		if got != want {
			t.Errorf("%s: ExecReload with kill -HUP: %v, want %v", name, got, want)
		}
	}
}
