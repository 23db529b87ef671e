package proc

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestInCI(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{{"", false}, {"false", false}, {"0", false}, {"true", true}, {"1", true}} {
		t.Setenv("CI", tc.v)
		if got := InCI(); got != tc.want {
			t.Errorf("CI=%q: InCI() = %v", tc.v, got)
		}
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot() = %s without go.mod: %v", root, err)
	}
	wd, _ := os.Getwd()
	if !strings.HasPrefix(wd, root) {
		t.Fatalf("ModuleRoot() = %s, not above %s", root, wd)
	}
}

func TestInstalled(t *testing.T) {
	cases := []struct {
		name, pkgJSON, installed string // installed "" means no node_modules entry
		want                     bool
		wantErr                  string
	}{
		{"match", `{"dependencies":{"p":"1.2.3"}}`, `{"version":"1.2.3"}`, true, ""},
		{"bumped pin", `{"dependencies":{"p":"1.2.4"}}`, `{"version":"1.2.3"}`, false, ""},
		{"not installed", `{"dependencies":{"p":"1.2.3"}}`, "", false, ""},
		{"not pinned", `{"dependencies":{"q":"1"}}`, "", false, "does not pin p"},
		{"bad package.json", `{`, "", false, "package.json"},
		{"bad installed json", `{"dependencies":{"p":"1"}}`, `nope`, false, "node_modules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "package.json"), tc.pkgJSON)
			if tc.installed != "" {
				write(t, filepath.Join(dir, "node_modules", "p", "package.json"), tc.installed)
			}
			got, err := Installed(dir, "p")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Installed = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEnsureNPMInstalled shows an installed pin needs no npm at all.
func TestEnsureNPMInstalled(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "package.json"), `{"dependencies":{"p":"1"}}`)
	write(t, filepath.Join(dir, "node_modules", "p", "package.json"), `{"version":"1"}`)
	t.Setenv("PATH", "")
	if err := EnsureNPM(dir, "p"); err != nil {
		t.Fatal(err)
	}
	if err := EnsureNPM(t.TempDir(), "p"); err == nil {
		t.Fatal("a project without package.json passed")
	}
}

func TestReadyWriter(t *testing.T) {
	logs := &tailBuffer{max: 8}
	w := &readyWriter{rest: logs, line: make(chan string, 1)}
	for _, chunk := range []string{"REA", "DY http://127.0.0.1:1\nextra", " output that overflows"} {
		if _, err := io.WriteString(w, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if got := <-w.line; got != "READY http://127.0.0.1:1\n" {
		t.Fatalf("line %q", got)
	}
	if got := logs.String(); got != "verflows" {
		t.Fatalf("tail %q", got)
	}
	long := &readyWriter{rest: io.Discard, line: make(chan string, 1)}
	io.WriteString(long, strings.Repeat("x", 5000))
	if _, ok := <-long.line; ok {
		t.Fatal("an endless first line must close the channel")
	}
}

func TestWaitLineTimeoutAndExit(t *testing.T) {
	if _, err := waitLine("child", make(chan string), make(chan struct{}), 10*time.Millisecond); err == nil {
		t.Fatal("no timeout")
	}
	exited := make(chan struct{})
	close(exited)
	if _, err := waitLine("child", make(chan string), exited, time.Minute); err == nil {
		t.Fatal("exit not reported")
	}
	closed := make(chan string)
	close(closed)
	if _, err := waitLine("child", closed, make(chan struct{}), time.Minute); err == nil {
		t.Fatal("a missing READY line not reported")
	}
}

func needSh(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
}

func TestStartReadyLine(t *testing.T) {
	needSh(t)
	// cat stands in for a stdin watchdog: it exits when the pipe closes.
	cmd := exec.Command("sh", "-c", `echo "READY up"; cat >/dev/null`)
	got := Start(t, cmd, Options{Name: "proc", Role: "child", Timeout: 10 * time.Second,
		ParseReady: func(l string) (string, error) { return strings.TrimSpace(l), nil }})
	if got != "READY up" {
		t.Fatalf("Start = %q", got)
	}
}

func TestStartFailureShowsOutput(t *testing.T) {
	needSh(t)
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{"exit before READY", Options{Timeout: 10 * time.Second,
			ParseReady: func(string) (string, error) { return "", nil }}, []string{"child exited before READY", "boom"}},
		{"ready check fails", Options{KillGrace: time.Second,
			Ready: func(exited <-chan struct{}) error { <-exited; return fmt.Errorf("gone") }}, []string{"gone", "exit status 3", "boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Name, tc.opts.Role = "proc", "child"
			ft := &fatalTB{TB: t}
			done := make(chan struct{})
			go func() { // Fatalf ends this goroutine via runtime.Goexit, as in a real test
				defer close(done)
				Start(ft, exec.Command("sh", "-c", "echo boom >&2; exit 3"), tc.opts)
			}()
			<-done
			for _, w := range tc.want {
				if !strings.Contains(ft.msg, w) {
					t.Errorf("Start failure %q lacks %q", ft.msg, w)
				}
			}
		})
	}
}

// fatalTB records the first Fatalf instead of failing the enclosing test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
