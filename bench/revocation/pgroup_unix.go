//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the process in a process group of its own, so that
// stopping it stops anything it started too, and a Ctrl-C at the terminal
// reaches only this program, which then stops the gateways in order.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends SIGTERM (graceful shutdown) or SIGKILL to the group.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	// The group's ID is the leader's PID (Setpgid with Pgid 0).
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
