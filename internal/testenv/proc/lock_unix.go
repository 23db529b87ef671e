//go:build unix

package proc

import (
	"os"
	"syscall"
)

// LockFile takes an exclusive advisory lock on path, creating it, so that
// test binaries of several packages, run in parallel by `go test ./...`, do
// not install the same dependency at once. Call unlock when done.
func LockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
