//go:build unix

package vigilproc

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the gateway in a process group of its own, so that a
// signal reaches it and anything it starts, and a Ctrl-C at the terminal
// reaches only the test, which then stops the gateways itself.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
}

// signalGroup sends SIGTERM (graceful shutdown) or SIGKILL to the group,
// whose ID is the leader's PID (Setpgid with Pgid 0).
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
