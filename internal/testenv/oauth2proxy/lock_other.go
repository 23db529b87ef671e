//go:build !unix

package oauth2proxy

// lockFile is a no-op where flock is missing; parallel first runs may then
// both run `go install`, which is wasteful but safe.
func lockFile(string) (func(), error) { return func() {}, nil }
