package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chrome "github.com/vigil-gw/vigil/internal/testenv/browser"
)

// rungDocumentReview is the built-in verifier's document-and-selfie rung,
// which always ends with a person deciding unless the chip is read.
const rungDocumentReview = "urn:vigil:idv:document-review"

// TestConsoleReviewBrowser: bob, in sales, opens an app that needs a
// verified identity (ial2) and is sent to the built-in verifier, where he
// goes through every step for real (email code from the dev mailbox, a
// rendered passport read by tesseract, a photo of a real face) until his
// verification waits for a person. Alice, an admin, opens the console's
// review queue in Chromium, opens his verification and approves it with
// the page's form; bob's waiting page then completes and he lands in the
// app with the verification in the assertion. Bob's part is plain HTTP,
// as the quickstart's seed flow drives it: only the admin's decision is
// what this test adds, and it is clicked.
func TestConsoleReviewBrowser(t *testing.T) {
	chrome.Need(t)
	needReviewFixtures(t)
	selfie := faceCrop(t)
	start := time.Now()
	e, mailbox := startReviewGateway(t, nil)
	base := e.public + "/.vigil/console"

	// Bob signs in and is sent on to verify, his address fixed by the
	// gateway's signed hint.
	bob := browser()
	passport, lines := passportOf(t, "BROWN", "BOB", "L898902C3")
	waiting := verifyToReview(t, e, mailbox, bob, "bob", "bob@example.com", passport, lines, selfie)
	if again := reviewPage(t, get(t, bob, waiting, "text/html", nil)); again.status != http.StatusOK ||
		!strings.Contains(again.body, "Waiting for review") || !strings.Contains(again.body, `http-equiv="refresh"`) {
		t.Fatalf("bob's waiting page before review: HTTP %d at %s:\n%s", again.status, again.url, again.body)
	}
	// Still waiting: the app's API tells him verification is missing.
	if code, _ := getEcho(t, bob, e.public+"/reports", nil); code != http.StatusUnauthorized {
		t.Fatalf("bob's API call while waiting: HTTP %d, want 401", code)
	}
	t.Logf("bob's verification waits for review after %v", time.Since(start).Round(time.Millisecond))

	// Alice, in Chromium, goes from the console's front page to the queue.
	b := chrome.Start(t, 60*time.Second)
	alice := b.Tab("alice")
	resp := signInBrowser(t, alice, e.issuer, base+"/", "alice")
	if resp.Status != http.StatusOK || resp.URL != base+"/" {
		t.Fatalf("alice's sign-in ended at HTTP %d %s", resp.Status, resp.URL)
	}
	alice.Screenshot("overview")
	resp = alice.Load("open Reviews", chromedp.Click(chromedp.CSS(`nav a[href="/.vigil/console/reviews"]`)))
	if resp.Status != http.StatusOK || heading(alice) != "Verification reviews" {
		t.Fatalf("reviews page: HTTP %d at %s, heading %q", resp.Status, resp.URL, heading(alice))
	}
	rows := chrome.Eval[[]string](alice, "read the queue",
		`[...document.querySelectorAll("table.reviews tbody tr")].map(r => r.innerText)`)
	if len(rows) != 1 || !strings.Contains(rows[0], "bob@example.com") || !strings.Contains(rows[0], rungDocumentReview) ||
		!strings.Contains(rows[0], "manual-review-required") {
		t.Fatalf("review queue rows %q, want bob's one verification", rows)
	}
	alice.Screenshot("queue")

	// His verification, as text: the checks he passed, no document number.
	resp = alice.Load("open bob's verification", chromedp.Click(chromedp.CSS(`table.reviews tbody tr:first-child td a`)))
	text := alice.Text()
	if resp.Status != http.StatusOK || !strings.HasPrefix(resp.URL, base+"/reviews/") ||
		!strings.Contains(text, "bob@example.com") || !strings.Contains(text, "matches the claimed name") ||
		!strings.Contains(text, "UTO") {
		t.Fatalf("bob's verification: HTTP %d at %s:\n%s", resp.Status, resp.URL, text)
	}
	if strings.Contains(text, "L898902C3") || strings.Contains(text, "1980-03-14") {
		t.Errorf("the review page shows the document number or date of birth:\n%s", text)
	}
	reviewURL := resp.URL
	alice.Screenshot("review")

	// Alice is in the evidence group too: the page shows his document
	// photo and selfie, loaded from the console's evidence route. The
	// check runs in DevTools, which the page's CSP does not bind.
	imagesRendered(t, alice)
	alice.Do("scroll to the images", chromedp.ScrollIntoView(chromedp.CSS(".evidence-images")))
	alice.Screenshot("evidence images")
	resp = alice.Load("open the first image alone", chromedp.Click(chromedp.CSS(`.evidence-images a`)))
	if !strings.HasPrefix(resp.URL, reviewURL+"/evidence/") || resp.Status != http.StatusOK ||
		(resp.MimeType != "image/jpeg" && resp.MimeType != "image/png") || resp.Headers["Content-Security-Policy"] != "default-src 'none'; sandbox" {
		t.Fatalf("the image alone: HTTP %d %s at %s, headers %v", resp.Status, resp.MimeType, resp.URL, resp.Headers)
	}
	alice.Screenshot("image alone")
	if resp = alice.Load("back to bob's verification", chromedp.Navigate(reviewURL)); resp.Status != http.StatusOK {
		t.Fatalf("back to the review: HTTP %d", resp.Status)
	}

	// Approve with a note, by the page's own form.
	const note = "passport and selfie checked"
	alice.Do("type the note", chromedp.SendKeys(chromedp.CSS("#approve-note"), note))
	alice.Screenshot("note typed")
	resp = alice.Load("approve", chromedp.Click(chromedp.CSS(`#approve button[type="submit"]`)))
	if text := alice.Text(); resp.Status != http.StatusOK || resp.URL != base+"/reviews?decided=approved" ||
		!strings.Contains(text, "0 verification(s) waiting") || strings.Contains(text, "bob@example.com") {
		t.Fatalf("after approving: HTTP %d at %s:\n%s", resp.Status, resp.URL, text)
	}
	alice.Screenshot("approved")
	resp = alice.Load("reopen bob's verification", chromedp.Navigate(reviewURL))
	if text := alice.Text(); resp.Status != http.StatusOK || !strings.Contains(text, "approved") ||
		!strings.Contains(text, "console:alice@example.com") || !strings.Contains(text, note) {
		t.Errorf("bob's verification after approval: HTTP %d:\n%s", resp.Status, text)
	}
	alice.Screenshot("decision")

	// Bob's waiting page, at its next refresh, completes the sign-in at
	// the gateway and he lands in the app, verified.
	done := reviewPage(t, get(t, bob, waiting, "text/html", nil))
	if done.status != http.StatusOK || done.url.String() != e.public+"/reports" {
		t.Fatalf("bob's waiting page after approval: HTTP %d at %s, want the app:\n%s", done.status, done.url, done.body)
	}
	code, echoed := getEcho(t, bob, e.public+"/reports", nil)
	v := echoed.Claims.Verification
	if code != http.StatusOK || !echoed.Verified || echoed.Claims.Email != "bob@example.com" ||
		v == nil || v.Level != "ial2" || v.IdP != "vigil-idv" || v.ACR != rungDocumentReview {
		t.Fatalf("bob in the app: HTTP %d, echo %+v, verification %+v; want ial2 from vigil-idv", code, echoed, v)
	}
	t.Logf("whole flow %v", time.Since(start).Round(time.Millisecond))
}

// imagesRendered waits until the page's images have all loaded and
// decoded, and checks there are at least two: the document photo and the
// selfie. A refused or broken image has no natural width.
func imagesRendered(t *testing.T, tab *chrome.Tab) {
	t.Helper()
	const expr = `({n: document.images.length, ok: Array.from(document.images).every(i => i.complete && i.naturalWidth > 0),
		done: Array.from(document.images).every(i => i.complete)})`
	type state struct {
		N    int  `json:"n"`
		OK   bool `json:"ok"`
		Done bool `json:"done"`
	}
	var st state
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if st = chrome.Eval[state](tab, "read the images", expr); st.Done {
			break
		}
	}
	if st.N < 2 || !st.OK {
		tab.Fail("evidence images", fmt.Errorf("%d images, all rendered: %v; want the document photo and the selfie, both shown", st.N, st.OK))
	}
}
