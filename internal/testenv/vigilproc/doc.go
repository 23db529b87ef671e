// Package vigilproc runs real `vigil serve` processes for the life of a Go
// test: it builds ./cmd/vigil once per test binary, writes each gateway's
// configuration file, starts the gateway in a process group of its own with
// its output in a log file, waits until /readyz answers 200, and stops it
// (SIGTERM, then SIGKILL), kills it (SIGKILL, a crash) or restarts it on the
// same address. When the test fails, every gateway's log is shown.
//
// Use it for what only separate processes show: a crash, a restart, several
// replicas sharing one database. Everything else is faster and easier to
// debug in-process with server.New.
//
// It is test-only. It must never be imported by production code, never
// leave a gateway running after its test, and never print a configuration
// file (it holds secrets).
package vigilproc
