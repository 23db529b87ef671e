package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// revocationReplicas is how many gateway processes the revocation
// benchmark runs: the "three replicas". bench passes it rather
// than rely on the child's default, so that what it reports is what ran.
const revocationReplicas = 3

// storeLabels are -revocation-store's values, as people name them.
var storeLabels = map[string]string{"postgres": "PostgreSQL", "sqlite": "SQLite"}

// revocationSetup says what the revocation figure is measured on, e.g.
// "3 replicas on PostgreSQL".
func revocationSetup(store string) string {
	return fmt.Sprintf("%d replicas on %s", revocationReplicas, storeLabels[store])
}

// runRevocation runs `go run ./bench/revocation -trials N -replicas 3
// -store S` from the module root, shows its output indented (so that its
// own last line is not taken for ours) and returns its p99 in
// milliseconds, as it printed it.
func runRevocation(ctx context.Context, trials int, store string) (string, error) {
	root, err := proc.ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("revocation: %w (run from inside the module)", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("revocation: no go command: %w", err)
	}
	args := []string{"run", "./bench/revocation", "-trials", strconv.Itoa(trials), "-replicas", strconv.Itoa(revocationReplicas), "-store", store}
	fmt.Printf("\nrevocation (%s): go %s\n", revocationSetup(store), strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = root
	var out bytes.Buffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, pw), pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Println("  | " + sc.Text())
		}
		io.Copy(io.Discard, pr) // a line too long for the scanner must not block the child
	}()
	err = cmd.Run()
	pw.Close()
	<-done
	if err != nil {
		return "", fmt.Errorf("revocation: %w", err)
	}
	return parseRevocation(out.Bytes())
}

// revocationLine is the benchmark's machine-readable last line.
var revocationLine = regexp.MustCompile(`^revocation p99 ms: ([0-9]+(?:\.[0-9]+)?)$`)

// parseRevocation finds the last "revocation p99 ms: N" line in out.
func parseRevocation(out []byte) (string, error) {
	lines := strings.Split(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		m := revocationLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if _, err := strconv.ParseFloat(m[1], 64); err != nil {
			return "", fmt.Errorf("revocation: p99 %q: %w", m[1], err)
		}
		return m[1], nil
	}
	return "", errors.New(`revocation: its output has no "revocation p99 ms: N" line`)
}
