package vigilexec

import "syscall"

// dieWithParent has the kernel SIGKILL the child when its parent dies
// without stopping it (a test's -timeout panic, a SIGKILL), so that no
// gateway outlives it holding a port and database connections. The signal
// follows the forking thread, which the Go runtime keeps alive unless a
// goroutine locked to it exits; the parent's own stop is the rule, this
// is the backstop.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
