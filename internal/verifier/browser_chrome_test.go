package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (scripts/install-browser-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// needChromium skips without Chromium, except in CI, where it must be there.
func needChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI (scripts/install-browser-deps.sh): %v", err)
		}
		t.Skipf("chromium not installed (run scripts/install-browser-deps.sh): %v", err)
	}
}

// chrome is one headless Chromium with one tab, driven by chromedp. On
// failure the test log gets the page's console and the browser's output.
type chrome struct {
	t     *testing.T
	ctx   context.Context
	shots string // screenshot directory
	n     int    // screenshots taken

	mu      sync.Mutex
	console []string
	output  lockedBuffer
}

// lockedBuffer collects the browser's stdout and stderr (written from the
// allocator's goroutines).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil // enough to diagnose; keep the log readable
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startChrome starts Chromium with a fresh profile. With fakeVideo, the
// camera is Chromium's fake device playing that Y4M file, and permission
// prompts are answered yes. Everything ends when the test ends, or at
// deadline.
func startChrome(t *testing.T, fakeVideo string, deadline time.Duration) *chrome {
	t.Helper()
	needChromium(t)
	c := &chrome{t: t, shots: artefactDir(t)}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(720, 1000),
		chromedp.CombinedOutput(&c.output),
	}
	if fakeVideo != "" {
		opts = append(opts,
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", fakeVideo),
		)
	}
	base, cancelBase := context.WithTimeout(context.Background(), deadline)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelBase()
	})
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, c.output.String())
	}
	t.Logf("chromium started in %v", time.Since(start).Round(time.Millisecond))
	if err := chromedp.Listen(ctx, c.record); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.mu.Lock()
			t.Logf("page console:\n%s", strings.Join(c.console, "\n"))
			c.mu.Unlock()
			t.Logf("chromium output:\n%s", withoutNoise(c.output.String()))
		}
	})
	c.ctx = ctx
	return c
}

// record keeps the page's console lines and uncaught exceptions. It runs in
// the tab's event loop, so it only appends.
func (c *chrome) record(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			if a.Value != nil {
				args = append(args, string(a.Value))
			} else {
				args = append(args, a.Description)
			}
		}
		line = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
	case *runtime.EventExceptionThrown:
		line = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			line += " " + ev.ExceptionDetails.Exception.Description
		}
	default:
		return
	}
	c.mu.Lock()
	c.console = append(c.console, line)
	c.mu.Unlock()
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

// artefactDir is $VIGIL_ARTIFACTS/<test> when set (kept for CI), else a
// temporary directory.
func artefactDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("VIGIL_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do runs actions, failing the test with what went wrong and where.
func (c *chrome) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.fail(what, err)
	}
}

func (c *chrome) fail(what string, err error) {
	c.t.Helper()
	c.screenshot("failed")
	loc, _ := chromedp.Run(c.ctx, chromedp.Location())
	c.t.Fatalf("%s (at %s): %v", what, loc, err)
}

// screenshot saves the whole page as NN-name.png.
func (c *chrome) screenshot(name string) {
	c.t.Helper()
	c.n++
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(c.shots, fmt.Sprintf("%02d-%s.png", c.n, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// pageState is what waitPage reads from the page.
type pageState struct {
	Ready bool   `json:"ready"`
	URL   string `json:"url"`
	Title string `json:"title"`
	Error string `json:"error"`
}

const readPageState = `({
	ready: document.readyState === "complete",
	url: location.href,
	title: (document.querySelector("h1") || {}).textContent || "",
	error: (document.querySelector(".error") || {}).textContent || "",
})`

// waitPage waits until a loaded page satisfies ok. It polls from Go,
// because an in-page poll dies with the navigation it waits for.
func (c *chrome) waitPage(what string, timeout time.Duration, ok func(pageState) bool) pageState {
	c.t.Helper()
	end := time.Now().Add(timeout)
	var last pageState
	var lastErr error
	for time.Now().Before(end) {
		st, err := chromedp.Run(c.ctx, chromedp.Evaluate[pageState](readPageState))
		switch {
		case err == nil && st.Ready && ok(st):
			return st
		case err == nil:
			last = st
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			c.fail("wait for "+what, err)
		default:
			lastErr = err // the page is between documents
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.fail("wait for "+what, fmt.Errorf("timed out after %v; last page %q at %s, error %q (%v)",
		timeout, last.Title, last.URL, last.Error, lastErr))
	return last
}

// waitTitle waits for a page whose heading is title.
func (c *chrome) waitTitle(title string, timeout time.Duration) pageState {
	c.t.Helper()
	return c.waitPage("page "+title, timeout, func(s pageState) bool { return s.Title == title })
}
