//go:build unix && !linux

package vigilexec

import "syscall"

// dieWithParent: only Linux has a parent-death signal; elsewhere a parent
// that dies without stopping its children leaves them running.
func dieWithParent(*syscall.SysProcAttr) {}
