package browser

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// Path is Debian's chromium (scripts/install-browser-deps.sh).
const Path = "/usr/bin/chromium"

// Need skips t without Chromium, except in CI, where it must be there.
func Need(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		proc.Unavailable(t, "chromium not installed (run scripts/install-browser-deps.sh): %v", err)
	}
}

// Browser is one headless Chromium process with a fresh profile.
type Browser struct {
	t     *testing.T
	ctx   context.Context // the first tab's; new browser contexts hang off it
	shots string

	mu     sync.Mutex
	n      int // screenshots taken, across tabs, so file names sort in time
	output lockedBuffer
}

// Start starts Chromium for t. Everything ends when the test ends, or at
// deadline, whichever is first; a deadline keeps a stuck page from
// holding the test until go test's own timeout. opts come after the
// defaults, so they add flags (FakeCamera) or override one
// (chromedp.WindowSize).
func Start(t *testing.T, deadline time.Duration, opts ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	Need(t)
	b := &Browser{t: t, shots: ArtefactDir(t)}
	all := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
		chromedp.UserDataDir(t.TempDir()),
		// No sandbox: CI and the dev machines run tests as root in a
		// container, where Chromium's sandbox cannot start.
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(1100, 900),
		chromedp.CombinedOutput(&b.output),
	}
	all = append(all, opts...)
	base, cancelBase := context.WithTimeout(context.Background(), deadline)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, all...)
	ctx, cancelFirst := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelFirst()
		cancelAlloc()
		cancelBase()
	})
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, withoutNoise(b.output.String()))
	}
	t.Logf("chromium started in %v; screenshots in %s", time.Since(start).Round(time.Millisecond), b.shots)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chromium output:\n%s", withoutNoise(b.output.String()))
		}
	})
	b.ctx = ctx
	return b
}

// shot returns the next screenshot number.
func (b *Browser) shot() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	return b.n
}

// lockedBuffer collects the browser's stdout and stderr (written from the
// allocator's goroutines).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 64<<10 {
		return len(p), nil // enough to diagnose; keep the log readable
	}
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// withoutNoise drops the lines headless Chromium prints in a container
// without a system bus, so that the lines that matter stand out.
func withoutNoise(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.Contains(l, "dbus/") && !strings.Contains(l, "unexpected operator") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
