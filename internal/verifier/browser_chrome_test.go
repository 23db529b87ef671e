package verifier

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chromium "github.com/vigil-gw/vigil/internal/testenv/browser" // browser is helpers_test.go's HTTP client
)

// chrome is the person's tab in headless Chromium (internal/testenv/browser),
// with the waits the verifier's pages need.
type chrome struct {
	*chromium.Tab
	t *testing.T
}

// startChrome starts Chromium whose camera is the fake device playing
// fakeVideo (a Y4M file), in a phone-like window. Everything ends when the
// test ends, or at deadline.
func startChrome(t *testing.T, fakeVideo string, deadline time.Duration) *chrome {
	t.Helper()
	b := chromium.Start(t, deadline, chromium.FakeCamera(fakeVideo), chromedp.WindowSize(720, 1000))
	return &chrome{Tab: b.Tab("person"), t: t}
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
		st, err := chromedp.Run(c.Context(), chromedp.Evaluate[pageState](readPageState))
		switch {
		case err == nil && st.Ready && ok(st):
			return st
		case err == nil:
			last = st
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			c.Fail("wait for "+what, err)
		default:
			lastErr = err // the page is between documents
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.Fail("wait for "+what, fmt.Errorf("timed out after %v; last page %q at %s, error %q (%v)",
		timeout, last.Title, last.URL, last.Error, lastErr))
	return last
}

// waitTitle waits for a page whose heading is title.
func (c *chrome) waitTitle(title string, timeout time.Duration) pageState {
	c.t.Helper()
	return c.waitPage("page "+title, timeout, func(s pageState) bool { return s.Title == title })
}
