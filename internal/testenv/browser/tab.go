package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step (a navigation, a click and the page it
// loads), so a wrong selector fails in seconds, not at the deadline.
const stepTimeout = 15 * time.Second

// Tab is one page in its own browser context: it shares no cookies or
// storage with the browser's other tabs. On failure the test log gets the
// page's console, and the artefacts a screenshot of where it failed.
type Tab struct {
	b    *Browser
	t    *testing.T
	name string
	ctx  context.Context

	mu      sync.Mutex
	console []string
}

// Tab opens a new browser context named name (it prefixes the tab's
// screenshots and failure messages).
func (b *Browser) Tab(name string) *Tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open a browser context: %v", name, err)
	}
	tab := &Tab{b: b, t: b.t, name: name, ctx: ctx}
	if err := chromedp.Listen(ctx, tab.record); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		if b.t.Failed() {
			tab.mu.Lock()
			b.t.Logf("%s: page console:\n%s", name, strings.Join(tab.console, "\n"))
			tab.mu.Unlock()
		}
	})
	return tab
}

// record keeps the page's console lines and uncaught exceptions. It runs in
// the tab's event loop, so it only appends.
func (tab *Tab) record(ev any) {
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
	tab.mu.Lock()
	tab.console = append(tab.console, line)
	tab.mu.Unlock()
}

// Do runs actions that do not navigate, failing the test with what went
// wrong and where.
func (tab *Tab) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tab.Fail(what, err)
	}
}

// Load runs actions that start one navigation (a Navigate, a click on a
// link or a submit button) and waits for the document at its end, after
// any redirects; it returns that document's response.
func (tab *Tab) Load(what string, actions ...chromedp.Action[chromedp.Void]) *network.Response {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		tab.Fail(what, err)
	}
	if resp == nil {
		tab.Fail(what, fmt.Errorf("the navigation gave no document response"))
	}
	return resp
}

// Eval evaluates a JavaScript expression in the page and decodes its value
// into T.
func Eval[T any](tab *Tab, what, expr string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tab.Fail(what, err)
	}
	return v
}

// Context is the tab's chromedp context, for calls the helpers here do not
// cover (polls that tolerate a page between documents, DevTools domains).
// It is bounded by the browser's deadline, not by a step's.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Location is the page's URL.
func (tab *Tab) Location() string {
	tab.t.Helper()
	return Eval[string](tab, "read the location", "location.href")
}

// Text is the text the page shows (document.body.innerText).
func (tab *Tab) Text() string {
	tab.t.Helper()
	return Eval[string](tab, "read the page text", "document.body ? document.body.innerText : ''")
}

// Fail fails the test at a step of the caller's own (a wait or a check
// the helpers here do not cover) as they fail: a screenshot, the page's
// URL, what went wrong.
func (tab *Tab) Fail(what string, err error) {
	tab.t.Helper()
	tab.Screenshot("failed")
	ctx, cancel := context.WithTimeout(tab.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	tab.t.Fatalf("%s: %s (at %s): %v", tab.name, what, loc, err)
}

// Screenshot saves the whole page as NN-tab-name.png in the artefact
// directory. A screenshot that cannot be taken is logged, not fatal: it
// is a record, not a check.
func (tab *Tab) Screenshot(name string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tab.t.Logf("%s: screenshot %s: %v", tab.name, name, err)
		return
	}
	path := filepath.Join(tab.b.shots, fmt.Sprintf("%02d-%s-%s.png", tab.b.shot(), safeName(tab.name), safeName(name)))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
}
