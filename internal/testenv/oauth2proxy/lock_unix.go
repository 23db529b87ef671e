//go:build unix

package oauth2proxy

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock so that test binaries of several
// packages, run in parallel by `go test ./...`, do not run `go install` at
// once.
func lockFile(path string) (unlock func(), err error) {
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
