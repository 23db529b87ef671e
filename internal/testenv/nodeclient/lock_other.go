//go:build !unix

package nodeclient

// lockFile is a no-op where flock is missing; parallel first runs may then
// race in `npm ci`, which a rerun fixes.
func lockFile(string) (func(), error) { return func() {}, nil }
