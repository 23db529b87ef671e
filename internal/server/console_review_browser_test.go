package server_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/ocr/ocrtest"
	"github.com/vigil-gw/vigil/internal/server"
	chrome "github.com/vigil-gw/vigil/internal/testenv/browser"
	"github.com/vigil-gw/vigil/internal/testenv/proc"
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
	e, mailbox := startReviewGateway(t)
	base := e.public + "/.vigil/console"

	// Bob signs in and is sent on to verify, his address fixed by the
	// gateway's signed hint.
	bob := browser()
	p := reviewPage(t, signInDemo(t, bob, e.public+"/reports", "bob"))
	if p.status != http.StatusOK || p.url.Path != "/idv/email" || !strings.Contains(p.body, `value="bob@example.com"`) {
		t.Fatalf("bob after sign-in: HTTP %d at %s, want the verifier's email page for him:\n%s", p.status, p.url, p.body)
	}
	p = p.post(t, bob, "/idv/email/send", url.Values{"address": {"bob@example.com"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Enter the code") {
		t.Fatalf("send the code: HTTP %d at %s:\n%s", p.status, p.url, p.body)
	}
	p = p.post(t, bob, "/idv/email/verify", url.Values{"code": {devMailboxCode(t, mailbox, "bob@example.com")}})
	if p.status != http.StatusOK || p.url.Path != "/idv/document" {
		t.Fatalf("enter the code: HTTP %d at %s, want the document step:\n%s", p.status, p.url, p.body)
	}
	passport, lines := bobsPassport(t)
	p = p.upload(t, bob, "/idv/document", passport)
	if p.status == http.StatusOK && strings.Contains(p.body, "Fix the scanned text") {
		t.Log("tesseract misread the MRZ: bob types it, as the page asks")
		p = p.post(t, bob, "/idv/document/correct", url.Values{"mrz": {strings.Join(lines, "\n")}})
	}
	if p.status != http.StatusOK || !strings.Contains(p.body, "Check your details") || !strings.Contains(p.body, "BROWN") {
		t.Fatalf("document: HTTP %d at %s, want bob's details read from the MRZ:\n%s", p.status, p.url, p.body)
	}
	p = p.follow(t, bob, "/idv/selfie")
	p = p.upload(t, bob, "/idv/selfie", selfie)
	if p.status != http.StatusOK || p.url.Path != "/idv/status" || !strings.Contains(p.body, "Waiting for review") {
		t.Fatalf("selfie: HTTP %d at %s, want the waiting page:\n%s", p.status, p.url, p.body)
	}
	waiting := p.url.String()
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

// startReviewGateway is the gateway with the console (admins: alice), the
// built-in verifier under /idv with the dev mailbox going to the returned
// buffer, and one app that lets sales in with a verified identity (ial2)
// from that verifier.
func startReviewGateway(t *testing.T) (*demoEnv, *syncBuffer) {
	t.Helper()
	gwL, idpL := listenLoopback(t), listenLoopback(t)
	e := &demoEnv{
		public: publicURL(gwL),
		issuer: "http://localhost:" + strconv.Itoa(idpL.Addr().(*net.TCPAddr).Port),
		dbPath: filepath.Join(t.TempDir(), "vigil.db"),
		secret: "demo-client-secret-for-console-review",
	}
	idp, err := demoidp.New(demoidp.Config{
		Issuer: e.issuer, Users: demoidp.DefaultUsers(),
		Clients: []demoidp.Client{{ID: "vigil", Secret: e.secret, RedirectURIs: []string{e.public + "/.vigil/callback"}}},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp, ReadHeaderTimeout: 10 * time.Second}
	go idpSrv.Serve(idpL)
	t.Cleanup(func() { idpSrv.Close() })
	e.upstream = newUpstream(t, e.public)

	const idvSecret = "idv-client-secret-for-console-review"
	idvIssuer := e.public + "/idv"
	cfg := e.config([]config.Rule{{Name: "verified-sales", Action: "allow",
		Include: []config.Selector{{Group: config.StringList{"sales"}}},
		Require: []config.Selector{{Verified: "ial2"}}}})
	cfg.Admin.Console.Group = "admins"
	cfg.Admin.Console.EvidenceGroup = "admins"
	cfg.IDV = &config.IDV{Issuer: idvIssuer, DevMailbox: true, AllowedEmailDomains: []string{"example.com"},
		Clients: []config.IDVClient{{ClientID: "vigil", ClientSecret: config.Secret{Value: idvSecret},
			RedirectURIs: []string{e.public + "/.vigil/callback"}}}}
	cfg.Verifiers = []config.Verifier{{Name: "vigil-idv", Issuer: idvIssuer, ClientID: "vigil",
		ClientSecret: config.Secret{Value: idvSecret}, Scopes: []string{"openid", "email"},
		ACRValues: []string{rungDocumentReview}, ACRLevels: map[string]string{rungDocumentReview: "ial2"},
		// The verifier compares the passport's name with the account's.
		LoginHint: config.LoginHintAssertion}}
	cfg.Apps[0].Verifier = "vigil-idv"
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("configuration: %v", err)
	}

	// Not serve(): the dev mailbox must come to the test, not stderr.
	mailbox, logs := &syncBuffer{}, &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server logs:\n%s", logs.String())
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg, server.Options{AuditWriter: io.Discard, DevMailbox: mailbox,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		cancel()
		t.Fatalf("server.New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, server.Listeners{Main: gwL}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("Serve did not return 20s after its context ended")
		}
		srv.Close()
	})
	e.srv = srv
	return e, mailbox
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

// needReviewFixtures skips without tesseract or the OCR-B font outside CI;
// in CI both must be there (scripts/install-ocr-deps.sh).
func needReviewFixtures(t *testing.T) {
	t.Helper()
	if err := (&ocr.Reader{}).Available(); err != nil {
		proc.Unavailable(t, "tesseract not available, the document step cannot run: %v", err)
	}
	ocrtest.NeedFonts(t)
}

// faceCrop is a real face from the shared test data (shared/ beside the
// clone): the verifier's face matcher refuses a selfie without one.
func faceCrop(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "testdata", "faces", "penny", "penny1.png")
	b, err := os.ReadFile(path)
	if err != nil {
		proc.Unavailable(t, "no face crop at %s (shared/testdata beside the clone): %v", path, err)
	}
	return b
}

// bobsPassport renders a passport page in Bob Brown's name, valid for five
// more years; it returns the PNG and its MRZ lines.
func bobsPassport(t *testing.T) ([]byte, []string) {
	t.Helper()
	lines, err := mrz.Encode(&mrz.Document{Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO",
		Surname: "BROWN", GivenNames: []string{"BOB"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1980, Month: 3, Day: 14}, Sex: "M",
		ExpiryDate: mrz.Date{Year: time.Now().Year() + 5, Month: 4, Day: 15}, OptionalData1: "ZE184226B"})
	if err != nil {
		t.Fatal(err)
	}
	doc := ocrtest.TD3(12)
	doc.MRZ = lines
	img, _ := ocrtest.Render(t, doc)
	return ocrtest.EncodePNG(t, img), lines
}

var mailedCodeRE = regexp.MustCompile(`code is (\d{6})\b`)

// devMailboxCode is the code in the last dev-mailbox message to addr. The
// mail is written before the "Enter the code" page is sent, so it is there.
func devMailboxCode(t *testing.T, mailbox *syncBuffer, addr string) string {
	t.Helper()
	msgs := strings.Split(mailbox.String(), "---- dev mailbox")
	for i := len(msgs) - 1; i >= 0; i-- {
		if !strings.Contains(msgs[i], "\nTo: "+addr+"\n") {
			continue
		}
		if m := mailedCodeRE.FindStringSubmatch(msgs[i]); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no code for %s in the dev mailbox:\n%s", addr, mailbox.String())
	return ""
}

// idvPage is a verifier page bob's client reached.
type idvPage struct {
	status int
	url    *url.URL
	body   string
}

func reviewPage(t *testing.T, resp *http.Response) idvPage {
	t.Helper()
	return idvPage{status: resp.StatusCode, url: resp.Request.URL, body: readBody(t, resp)}
}

// target is the page's form action or link whose path is path, resolved
// against the page: bob submits the forms the page offers, not URLs the
// test makes up.
func (p idvPage) target(t *testing.T, attr, path string) string {
	t.Helper()
	re := regexp.MustCompile(attr + `="(` + regexp.QuoteMeta(path) + `\?[^"]*)"`)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s to %s on %s:\n%s", attr, path, p.url, p.body)
	}
	u, err := p.url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return u.String()
}

func (p idvPage) post(t *testing.T, c *http.Client, path string, form url.Values) idvPage {
	t.Helper()
	return p.send(t, c, p.target(t, "action", path), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// upload posts data as the page's form's "image" file.
func (p idvPage) upload(t *testing.T, c *http.Client, path string, data []byte) idvPage {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("image", "photo")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return p.send(t, c, p.target(t, "action", path), mw.FormDataContentType(), &buf)
}

// follow opens the page's link to path.
func (p idvPage) follow(t *testing.T, c *http.Client, path string) idvPage {
	t.Helper()
	return reviewPage(t, get(t, c, p.target(t, "href", path), "text/html", nil))
}

func (p idvPage) send(t *testing.T, c *http.Client, u, ctype string, body io.Reader) idvPage {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	return reviewPage(t, resp)
}
