//go:build unix && !linux

package vigilproc

import "syscall"

// dieWithParent: only Linux has a parent-death signal; elsewhere a test
// binary that dies without its cleanups leaves its gateways running.
func dieWithParent(*syscall.SysProcAttr) {}
