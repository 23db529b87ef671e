package vigilexec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Build compiles ./cmd/vigil of the module the working directory is in
// into dir, with the race detector when race is set, and returns the
// binary's path. The error carries the compiler's output.
func Build(ctx context.Context, dir string, race bool) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not on PATH, needed to build ./cmd/vigil")
	}
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("finding the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the vigil module: run from its directory")
	}
	path := filepath.Join(dir, "vigil")
	if runtime.GOOS == "windows" {
		path += ".exe"
	}
	args := []string{"build", "-o", path}
	if race {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/vigil")
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = filepath.Dir(gomod)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %v (after %v): %w\n%s", args, time.Since(start).Round(time.Millisecond), err, out)
	}
	return path, nil
}
