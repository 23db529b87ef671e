//go:build !unix

package proc

// LockFile is a no-op where flock is missing; parallel first runs may then
// race in an install, which a rerun fixes.
func LockFile(string) (func(), error) { return func() {}, nil }
