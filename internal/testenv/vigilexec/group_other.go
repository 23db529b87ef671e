//go:build !unix

package vigilexec

import (
	"os"
	"os/exec"
)

// OwnGroup: without process groups the process is signalled on its own.
func OwnGroup(*exec.Cmd) {}

// SignalGroup interrupts the process, or kills it.
func SignalGroup(cmd *exec.Cmd, kill bool) {
	if kill || cmd.Process.Signal(os.Interrupt) != nil {
		_ = cmd.Process.Kill()
	}
}
