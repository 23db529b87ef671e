//go:build !unix

package main

import (
	"os"
	"os/exec"
)

// ownGroup: without process groups the gateway is stopped on its own.
func ownGroup(*exec.Cmd) {}

// signalGroup interrupts the process, or kills it.
func signalGroup(cmd *exec.Cmd, kill bool) {
	if kill {
		_ = cmd.Process.Kill()
		return
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		_ = cmd.Process.Kill()
	}
}
