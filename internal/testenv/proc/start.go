package proc

import (
	"errors"
	"fmt"
	"os/exec"
	"testing"
	"time"
)

// logMax is how much of a child's output is kept to show on failure.
const logMax = 64 << 10

// Options says how Start waits for a child and how it names it.
type Options struct {
	Name string // message prefix, the harness package: "nodeop"
	Role string // what the child is, in messages: "provider"
	// ParseReady, when set, receives the child's first stdout line, which
	// announces readiness ("READY <url>"), and returns the value Start
	// returns; stdout after it and stderr go to the kept output.
	ParseReady func(line string) (string, error)
	// Ready, used when ParseReady is nil, blocks until the child serves,
	// giving up when exited closes; stdout and stderr are both kept.
	Ready func(exited <-chan struct{}) error
	// Timeout bounds the wait for the READY line (not used with Ready).
	Timeout time.Duration
	// KillGrace is how long cleanup lets the child exit after its stdin
	// closes before killing it; zero kills at once.
	KillGrace time.Duration
}

// Start runs cmd for the life of t and returns once it is ready, with the
// value ParseReady returned ("" with Ready). cmd's stdin is a pipe the
// child must watch: it closes when the test ends or the test binary dies,
// so no child outlives its test. Start sets cmd's Stdin, Stdout, Stderr and
// WaitDelay. Any failure ends t with the child's output.
func Start(t testing.TB, cmd *exec.Cmd, o Options) string {
	t.Helper()
	logs := &tailBuffer{max: logMax}
	var ready *readyWriter
	if o.ParseReady != nil {
		ready = &readyWriter{rest: logs, line: make(chan string, 1)}
		cmd.Stdout, cmd.Stderr = ready, logs
	} else {
		cmd.Stdout, cmd.Stderr = logs, logs
	}
	cmd.WaitDelay = 5 * time.Second // never hang on pipes a stray grandchild holds
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("%s: %v", o.Name, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: start %s: %v", o.Name, o.Role, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(o.KillGrace):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s: %s output:\n%s", o.Name, o.Role, logs.String())
		}
	})

	var val string
	if ready != nil {
		var line string
		if line, err = waitLine(o.Role, ready.line, exited, o.Timeout); err == nil {
			val, err = o.ParseReady(line)
		}
	} else {
		err = o.Ready(exited)
	}
	if err != nil {
		select {
		case <-exited:
			err = fmt.Errorf("%w (%v)", err, waitErr)
		default:
		}
		t.Fatalf("%s: %v\n%s output:\n%s", o.Name, err, o.Role, logs.String())
	}
	return val
}

// waitLine waits for the first stdout line of the child named role.
func waitLine(role string, line <-chan string, exited <-chan struct{}, timeout time.Duration) (string, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-timer.C:
		return "", fmt.Errorf("%s not ready after %v", role, timeout)
	case <-exited:
		return "", fmt.Errorf("%s exited before READY", role)
	case l, ok := <-line:
		if !ok {
			return "", errors.New(role + " wrote no READY line")
		}
		return l, nil
	}
}
