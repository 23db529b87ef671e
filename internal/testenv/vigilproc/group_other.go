//go:build !unix

package vigilproc

import (
	"os"
	"os/exec"
)

// ownGroup: without process groups the gateway is signalled on its own.
func ownGroup(*exec.Cmd) {}

// signalGroup interrupts the process, or kills it.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if kill || cmd.Process.Signal(os.Interrupt) != nil {
		_ = cmd.Process.Kill()
	}
}
