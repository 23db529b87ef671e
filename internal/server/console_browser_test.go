package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	chrome "github.com/vigil-gw/vigil/internal/testenv/browser"
)

// TestConsoleBrowser drives the console in Chromium as an administrator
// would: alice signs in through the demo IdP's login form, finds bob's
// session with the sessions filter, revokes it with a reason through the
// row's form, and bob, signed in in another browser context, is then
// refused with that reason. Screenshots of every step are artefacts.
func TestConsoleBrowser(t *testing.T) {
	chrome.Need(t)
	e := startConsole(t)
	base := e.public + "/.vigil/console"
	b := chrome.Start(t, 60*time.Second)
	alice, bob := b.Tab("alice"), b.Tab("bob")

	// Bob uses the app.
	resp := signInBrowser(t, bob, e.issuer, e.public+"/", "bob")
	if resp.Status != http.StatusOK || resp.URL != e.public+"/" || !strings.Contains(bob.Text(), `"email":"bob@example.com"`) {
		t.Fatalf("bob's sign-in ended at HTTP %d %s:\n%s", resp.Status, resp.URL, bob.Text())
	}
	bob.Screenshot("app")

	// Alice opens the console and is sent to sign in first.
	resp = signInBrowser(t, alice, e.issuer, base+"/", "alice")
	if resp.Status != http.StatusOK || resp.URL != base+"/" || heading(alice) != "Overview" {
		t.Fatalf("alice's sign-in ended at HTTP %d %s, heading %q", resp.Status, resp.URL, heading(alice))
	}
	if text := alice.Text(); !strings.Contains(text, "2\nlive sessions") && !strings.Contains(text, "2 live sessions") {
		t.Errorf("overview does not count two live sessions:\n%s", text)
	}
	alice.Screenshot("overview")

	// To the sessions page by its link, then the filter form.
	resp = alice.Load("open Sessions", chromedp.Click(chromedp.CSS(`nav a[href="/.vigil/console/sessions"]`)))
	if resp.Status != http.StatusOK || heading(alice) != "Sessions" {
		t.Fatalf("sessions page: HTTP %d at %s", resp.Status, resp.URL)
	}
	alice.Do("type bob in the filter", chromedp.SendKeys(chromedp.CSS("#f-user"), "bob@example.com"))
	resp = alice.Load("filter", chromedp.Click(chromedp.CSS(`form.filter button[type="submit"]`)))
	if resp.Status != http.StatusOK || !strings.Contains(resp.URL, "user=bob%40example.com") {
		t.Fatalf("filter: HTTP %d at %s", resp.Status, resp.URL)
	}
	rows := chrome.Eval[[]string](alice, "read the session rows",
		`[...document.querySelectorAll("table.sessions tbody tr")].map(r => r.cells[0].innerText)`)
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "bob@example.com") {
		t.Fatalf("sessions filtered to bob: rows %q", rows)
	}
	alice.Screenshot("bob's sessions")

	// Revoke it with a reason, through the row's form.
	const reason = "laptop reported stolen"
	row := `table.sessions tbody tr:first-child `
	alice.Do("type the reason", chromedp.SendKeys(chromedp.CSS(row+`input[name="reason"]`), reason))
	alice.Screenshot("reason typed")
	resp = alice.Load("revoke", chromedp.Click(chromedp.CSS(row+`form.revoke button[type="submit"]`)))
	if text := alice.Text(); resp.Status != http.StatusOK || resp.URL != base+"/sessions?revoked=1" ||
		!strings.Contains(text, "Revoked 1 session.") || strings.Contains(text, "bob@example.com") {
		t.Fatalf("after revoking: HTTP %d at %s:\n%s", resp.Status, resp.URL, text)
	}
	alice.Screenshot("revoked")

	// Bob's next request is refused, and he is told why.
	resp = bob.Load("reload the app", chromedp.Navigate(e.public+"/"))
	if text := bob.Text(); resp.Status != http.StatusUnauthorized || !strings.Contains(text, reason) {
		t.Fatalf("bob after the revocation: HTTP %d at %s, want 401 with %q:\n%s", resp.Status, resp.URL, reason, text)
	}
	bob.Screenshot("denied")

	// Alice's own session is untouched.
	resp = alice.Load("open the app", chromedp.Navigate(e.public+"/"))
	if resp.Status != http.StatusOK || !strings.Contains(alice.Text(), `"email":"alice@example.com"`) {
		t.Errorf("alice's app request after the revocation: HTTP %d:\n%s", resp.Status, alice.Text())
	}
}

// signInBrowser opens url in tab, which must land on the demo IdP's login
// form, and signs user in there by typing and clicking. It returns the
// response of the page the sign-in ends on.
func signInBrowser(t *testing.T, tab *chrome.Tab, issuer, url, user string) *network.Response {
	t.Helper()
	tab.Load("open "+url, chromedp.Navigate(url))
	if loc := tab.Location(); !strings.HasPrefix(loc, issuer+"/login") {
		t.Fatalf("%s: opening %s ended at %s, want the demo IdP's login form", user, url, loc)
	}
	tab.Do("fill in the login form",
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), user+"-demo-password"))
	tab.Screenshot("login")
	return tab.Load("sign in", chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
}

// heading is the page's first h1.
func heading(tab *chrome.Tab) string {
	return chrome.Eval[string](tab, "read the heading", `(document.querySelector("h1") || {}).textContent || ""`)
}
