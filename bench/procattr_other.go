//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing here: without Pdeathsig, the child is stopped
// by the run's own clean-up (also on Ctrl-C) but not after a crash.
func dieWithParent(*exec.Cmd) {}
