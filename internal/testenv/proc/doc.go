// Package proc is the machinery the testenv harnesses share to run an
// independent program (a Node.js script, a pinned binary) for the life of a
// Go test: finding the module root, installing pinned npm dependencies once
// under a file lock, starting the child with a stdin watchdog pipe, waiting
// for it to be ready, keeping the tail of its output to show on failure,
// and killing it when the test ends.
//
// It is test-only. It must never be imported by production code, never
// leave a child running after its test, and never turn a missing tool into
// a skip when the CI environment variable is set.
package proc
