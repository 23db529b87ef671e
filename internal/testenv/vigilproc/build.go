package vigilproc

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/testenv/vigilexec"
)

// RaceEnv, set to 1, builds the gateway with the race detector; a race a
// gateway reports then fails its test.
const RaceEnv = "VIGILPROC_RACE"

// buildTimeout bounds `go build`; a cold build of cmd/vigil takes about a
// minute on two cores.
const buildTimeout = 10 * time.Minute

var (
	mainRan atomic.Bool
	build   struct {
		once      sync.Once
		dir, path string
		err       error
	}
)

// Main runs the tests of a package that uses vigilproc, then removes the
// binary Binary built. Call it from the package's TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(vigilproc.Main(m)) }
func Main(m *testing.M) int {
	mainRan.Store(true)
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	return code
}

// Binary returns a vigil binary built from this module's ./cmd/vigil. The
// first call builds it; later calls in the same test binary reuse it (or
// its build error).
//
// The binary is built without -race even when the test runs with it: the
// detector makes a process several times slower and its memory 5-10 times
// larger, and three gateways under load on a two-core machine would then
// time out on the detector's cost rather than show the gateway's
// behaviour. The gateway's own concurrency is checked by its in-process
// tests under -race; set VIGILPROC_RACE=1 to build the processes with it
// too.
func Binary(t testing.TB) string {
	t.Helper()
	if !mainRan.Load() {
		t.Fatal("vigilproc: call vigilproc.Main from the package's TestMain (it removes the built binary)")
	}
	build.once.Do(func() { build.dir, build.path, build.err = compile(raceBuild()) })
	if build.err != nil {
		t.Fatalf("vigilproc: %v", build.err)
	}
	return build.path
}

func raceBuild() bool { return os.Getenv(RaceEnv) == "1" }

// compile builds ./cmd/vigil into a new temporary directory.
func compile(race bool) (dir, path string, err error) {
	dir, err = os.MkdirTemp("", "vigilproc-")
	if err != nil {
		return "", "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	if path, err = vigilexec.Build(ctx, dir, race); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return dir, path, nil
}
