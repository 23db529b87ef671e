package vigilproc

import "syscall"

// dieWithParent has the kernel SIGKILL the gateway when the test binary
// dies without running its cleanups (a -timeout panic, a SIGKILL), so that
// no gateway outlives it holding a port and database connections. The
// signal follows the forking thread, which the Go runtime keeps alive
// unless a goroutine locked to it exits; the cleanups are the rule, this
// is the backstop.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
