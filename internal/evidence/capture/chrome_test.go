package capture

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// The Chromium harness follows internal/verifier/browser_chrome_test.go
// (test files cannot be imported), cut to what this package needs: a fake
// camera and a virtual authenticator.

// chromiumPath is Debian's chromium (scripts/install-browser-deps.sh).
const chromiumPath = "/usr/bin/chromium"

// needChromium skips without Chromium, except in CI, where it must be there.
func needChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("chromium is required in CI (scripts/install-browser-deps.sh): %v", err)
		}
		t.Skipf("chromium not installed (run scripts/install-browser-deps.sh): %v", err)
	}
}

// chrome is one headless Chromium tab with Chromium's fake camera (its
// built-in test pattern) and permission prompts answered yes.
type chrome struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []string
	output  lockedBuffer
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil // enough to diagnose
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startChrome(t *testing.T, deadline time.Duration) *chrome {
	t.Helper()
	needChromium(t)
	c := &chrome{t: t}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.CombinedOutput(&c.output),
	}
	base, cancelBase := context.WithTimeout(context.Background(), deadline)
	alloc, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelBase()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, c.output.String())
	}
	if err := chromedp.Listen(ctx, c.record); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.mu.Lock()
			t.Logf("page console:\n%s", strings.Join(c.console, "\n"))
			c.mu.Unlock()
			t.Logf("chromium output:\n%s", c.output.String())
		}
	})
	c.ctx = ctx
	return c
}

// record keeps the page's console lines and uncaught exceptions.
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

// addPlatformAuthenticator gives the tab a virtual platform authenticator
// through the DevTools WebAuthn domain: CTAP2 over the internal transport,
// with user verification that succeeds and presence simulated.
func (c *chrome) addPlatformAuthenticator() webauthn.AuthenticatorID {
	c.t.Helper()
	if _, err := chromedp.Call(c.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		c.t.Fatalf("WebAuthn.enable: %v", err)
	}
	res, err := chromedp.Call(c.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		c.t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}
