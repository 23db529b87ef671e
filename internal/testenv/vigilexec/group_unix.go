//go:build unix

package vigilexec

import (
	"os/exec"
	"syscall"
)

// OwnGroup has cmd start in a process group of its own, so that a signal
// reaches it and anything it starts, and a Ctrl-C at the terminal reaches
// only the parent, which then stops its children itself.
func OwnGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
}

// SignalGroup sends SIGTERM (graceful shutdown) or SIGKILL to the group,
// whose ID is the leader's PID (Setpgid with Pgid 0).
func SignalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
