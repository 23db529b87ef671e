// Package vigilexec holds what running `vigil serve` as a child process
// needs without a testing.T: building ./cmd/vigil, and a process group of
// its own that a stop or a kill reaches as a whole. testenv/vigilproc (for
// tests) and bench/revocation (a program) both start gateways with it.
//
// It is test and benchmark tooling: never imported by production code.
package vigilexec
