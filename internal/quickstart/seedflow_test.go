package quickstart

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/ocr/ocrtest"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// TestQuickstartSeedFlow is the seed flow of the quickstart, over real
// HTTP: bob opens /onboarding, verifies at the built-in verifier (email
// code from the dev mailbox, a rendered passport read by tesseract, a
// selfie), alice approves him in the review UI, and bob lands on the app
// with an IAL2 verified assertion.
func TestQuickstartSeedFlow(t *testing.T) {
	needOCR(t)
	start := time.Now()
	mailbox := &syncBuffer{}
	ep := startSeedQuickstart(t, mailbox)
	app := strings.TrimSuffix(ep.App, "/")

	// Bob signs in opening /onboarding/ and is sent on to verify.
	bob := browser()
	resp := signIn(t, bob, app+"/onboarding/", "bob")
	p := readPage(t, resp)
	if p.status != http.StatusOK || p.url.Path != "/idv/email" || !strings.HasPrefix(p.url.String(), app+"/idv/") {
		t.Fatalf("after sign-in at /onboarding/: HTTP %d at %s, want the verifier's email page\n%s", p.status, p.url, p.body)
	}
	if email := elementByID(p.doc, "address"); email == nil || attr(email, "value") != "bob@example.com" || !hasAttr(email, "readonly") {
		t.Fatalf("email page: want bob@example.com prefilled and readonly, got %v\n%s", email, p.body)
	}

	// Before verifying, an API call is challenged (RFC 9470), and the
	// review UI is for admins only.
	if code, hdr := apiGet(t, bob, app+"/onboarding/api/whoami"); code != http.StatusUnauthorized ||
		!strings.Contains(hdr.Get("WWW-Authenticate"), "insufficient_user_authentication") {
		t.Errorf("bob's API call before verifying: HTTP %d, WWW-Authenticate %q; want 401 with insufficient_user_authentication",
			code, hdr.Get("WWW-Authenticate"))
	}
	if q := get(t, bob, app+"/review/"); q.status != http.StatusForbidden {
		t.Errorf("bob at /review/: HTTP %d at %s, want 403", q.status, q.url)
	}

	// Email: send the code, read it from the dev mailbox, enter it.
	p = submitForm(t, bob, p, "/idv/email/send", nil, "")
	if p.status != http.StatusOK || p.url.Path != "/idv/email/code" {
		t.Fatalf("send code: HTTP %d at %s\n%s", p.status, p.url, p.body)
	}
	code := mailedCode(t, mailbox, "bob@example.com")
	p = submitForm(t, bob, p, "/idv/email/verify", url.Values{"code": {code}}, "")
	if p.status != http.StatusOK || p.url.Path != "/idv/document" {
		t.Fatalf("enter code: HTTP %d at %s, want the document page\n%s", p.status, p.url, p.body)
	}

	// Document: a rendered passport with a future expiry, in bob's name.
	passportPNG, lines := bobPassport(t)
	p = uploadForm(t, bob, p, "/idv/document", passportPNG)
	if p.status == http.StatusOK && formAction(p, "/idv/document/correct") != nil {
		// The OCR misread a few characters: type the MRZ as a person would.
		p = submitForm(t, bob, p, "/idv/document/correct", url.Values{"mrz": {strings.Join(lines, "\n")}}, "")
	}
	if p.status != http.StatusOK || !strings.Contains(p.body, "Check your details") ||
		!strings.Contains(p.body, "BROWN") || !strings.Contains(p.body, "L898902C3") {
		t.Fatalf("document: HTTP %d at %s, want the parsed details\n%s", p.status, p.url, p.body)
	}
	cont := linkTo(p, "/idv/selfie")
	if cont == "" {
		t.Fatalf("details page has no link on to the selfie step\n%s", p.body)
	}
	p = get(t, bob, cont)
	if p.status != http.StatusOK || p.url.Path != "/idv/selfie" {
		t.Fatalf("selfie page: HTTP %d at %s\n%s", p.status, p.url, p.body)
	}

	// Selfie, then the waiting page, which refreshes itself.
	p = uploadForm(t, bob, p, "/idv/selfie", selfieImage(t))
	if p.status != http.StatusOK || p.url.Path != "/idv/status" || !strings.Contains(p.body, "Waiting for review") {
		t.Fatalf("selfie upload: HTTP %d at %s, want the waiting page\n%s", p.status, p.url, p.body)
	}
	// The gateway sent bob's signed account (login_hint: assertion): his
	// passport's name was compared with "Bob Brown" and matched.
	for _, r := range []string{"name-not-compared", "name-mismatch"} {
		if strings.Contains(p.body, r) {
			t.Errorf("waiting page shows %s; bob's account name matches his passport\n%s", r, p.body)
		}
	}
	waiting := refreshTarget(t, p)
	if again := get(t, bob, waiting); again.status != http.StatusOK || !strings.Contains(again.body, "Waiting for review") {
		t.Fatalf("waiting page before review: HTTP %d at %s\n%s", again.status, again.url, again.body)
	}

	// Alice, an admin, finds bob in the queue and approves.
	alice := browser()
	q := readPage(t, signIn(t, alice, app+"/review/", "alice"))
	if q.status != http.StatusOK || q.url.String() != app+"/review/" {
		t.Fatalf("alice at /review/: HTTP %d at %s\n%s", q.status, q.url, q.body)
	}
	detailURL := queueEntry(q, "bob@example.com")
	if detailURL == "" {
		t.Fatalf("the review queue does not list bob@example.com\n%s", q.body)
	}
	d := get(t, alice, detailURL)
	if d.status != http.StatusOK || !strings.Contains(d.body, "BROWN") || !strings.Contains(d.body, "bob@example.com") {
		t.Fatalf("verification detail: HTTP %d at %s\n%s", d.status, d.url, d.body)
	}
	if !strings.Contains(d.body, "Bob Brown") || !strings.Contains(d.body, "same words") {
		t.Errorf("verification detail: want the account name Bob Brown compared and matching\n%s", d.body)
	}
	consoleImages(t, alice, app, d.url.Path)
	approve := formAction(d, "/approve")
	if approve == nil || approve.fields.Get("version") == "" {
		t.Fatalf("detail page has no approve form with a version\n%s", d.body)
	}
	d = submitForm(t, alice, d, approve.action.Path, url.Values{"note": {"document and selfie match"}}, ep.App)
	if d.status != http.StatusOK || d.url.Query().Get("done") != "approved" || !strings.Contains(d.body, "Approved.") {
		t.Fatalf("approve: HTTP %d at %s\n%s", d.status, d.url, d.body)
	}
	if again := get(t, alice, app+"/review/"); again.status != http.StatusOK || queueEntry(again, "bob@example.com") != "" {
		t.Errorf("after approval the queue still lists bob (HTTP %d)\n%s", again.status, again.body)
	}

	// Bob's waiting page refreshes: the OIDC flow completes at the gateway
	// and bob lands on the app he asked for.
	p = get(t, bob, waiting)
	if p.status != http.StatusOK || p.url.String() != app+"/onboarding/" {
		t.Fatalf("after approval: HTTP %d at %s, want 200 at %s/onboarding/\n%s", p.status, p.url, app, p.body)
	}
	checkRawAssertion(t, ep, p)
	var w struct {
		Verified bool           `json:"verified"`
		Error    string         `json:"error"`
		Claims   map[string]any `json:"claims"`
	}
	if code := getJSON(t, bob, app+"/onboarding/api/whoami", &w); code != http.StatusOK || !w.Verified || w.Claims["email"] != "bob@example.com" {
		t.Fatalf("whoami after approval: HTTP %d %+v", code, w)
	}
	if v, _ := w.Claims["verified"].(map[string]any); v == nil || v["level"] != "ial2" || v["idp"] != "vigil-idv" {
		t.Errorf("whoami claims lack verified {level: ial2, idp: vigil-idv}: verified = %v (claims %v)", w.Claims["verified"], w.Claims)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("the seed flow took %s, want under 30s", time.Since(start))
	}
}

// checkRawAssertion verifies the assertion the onboarding app received (its
// page shows it whole) and checks the verification it carries, so that a
// gap in the demo app's JSON cannot hide what the gateway sent.
func checkRawAssertion(t *testing.T, ep Endpoints, p page) {
	t.Helper()
	pre := firstElement(p.doc, "pre")
	if pre == nil {
		t.Errorf("the onboarding page shows no raw assertion\n%s", p.body)
		return
	}
	public := strings.TrimSuffix(ep.App, "/")
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{JWKSURL: ep.JWKS, Issuer: public, Audience: "onboarding"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(context.Background(), strings.TrimSpace(text(pre)))
	if err != nil {
		t.Errorf("the onboarding app's assertion does not verify: %v", err)
		return
	}
	if c.Email != "bob@example.com" || c.Verified == nil || c.Verified.Level != "ial2" || c.Verified.IdP != "vigil-idv" {
		t.Errorf("assertion: email %q, verified %+v; want bob@example.com verified ial2 by vigil-idv", c.Email, c.Verified)
	}
}

// needOCR skips outside CI when tesseract is missing; in CI it must be there.
func needOCR(t *testing.T) {
	t.Helper()
	if err := (&ocr.Reader{}).Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tesseract is required in CI: %v", err)
		}
		t.Skipf("tesseract not available, the document step cannot run: %v", err)
	}
	ocrtest.NeedFonts(t)
}

// startSeedQuickstart runs the quickstart on free ports with the dev
// mailbox going to mailbox; on failure the logs are shown.
func startSeedQuickstart(t *testing.T, mailbox *syncBuffer) Endpoints {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan Endpoints, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		done <- Run(ctx, Options{Listen: "127.0.0.1:0", IdPListen: "127.0.0.1:0", DataDir: t.TempDir(),
			Out: io.Discard, AuditWriter: io.Discard, Mailbox: mailbox,
			Logger: slog.New(slog.NewTextHandler(logs, nil)), Ready: func(e Endpoints) { ready <- e }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("quickstart ended with %v", err)
		}
		if t.Failed() {
			t.Logf("quickstart logs:\n%s", logs.String())
		}
	})
	select {
	case ep := <-ready:
		return ep
	case err := <-done:
		t.Fatalf("quickstart failed to start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("quickstart did not start in 20s")
	}
	return Endpoints{}
}

// page is a fetched HTML page: where the client ended up and what it got.
type page struct {
	status int
	url    *url.URL
	body   string
	doc    *html.Node
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse %s: %v", resp.Request.URL, err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL, body: string(b), doc: doc}
}

// send makes a browser request (following redirects) and reads the page.
// origin, when set, is sent as the Origin header, as a browser does on a
// form POST.
func send(t *testing.T, c *http.Client, method, u, ctype string, body io.Reader, origin string) page {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if origin != "" {
		req.Header.Set("Origin", strings.TrimSuffix(origin, "/"))
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return readPage(t, resp)
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	return send(t, c, http.MethodGet, u, "", nil, "")
}

// apiGet is an API client's request: JSON wanted, no redirects to follow.
func apiGet(t *testing.T, c *http.Client, u string) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// form is a form found on a page: its resolved action and named inputs.
type form struct {
	action *url.URL
	fields url.Values
}

// formAction returns the first POST form whose action path ends with
// suffix, or nil.
func formAction(p page, suffix string) *form {
	var found *form
	walk(p.doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode || n.Data != "form" || !strings.EqualFold(attr(n, "method"), "post") {
			return true
		}
		a, err := p.url.Parse(attr(n, "action"))
		if err != nil || !strings.HasSuffix(a.Path, suffix) {
			return true
		}
		f := &form{action: a, fields: url.Values{}}
		walk(n, func(in *html.Node) bool {
			if in.Type == html.ElementNode && in.Data == "input" && attr(in, "name") != "" && attr(in, "type") != "file" {
				f.fields.Set(attr(in, "name"), attr(in, "value"))
			}
			return true
		})
		found = f
		return false
	})
	return found
}

// submitForm posts the page's form for actionSuffix with its own inputs
// overlaid by set.
func submitForm(t *testing.T, c *http.Client, p page, actionSuffix string, set url.Values, origin string) page {
	t.Helper()
	f := formAction(p, actionSuffix)
	if f == nil {
		t.Fatalf("no form posting to %s on %s\n%s", actionSuffix, p.url, p.body)
	}
	for k, v := range set {
		f.fields[k] = v
	}
	return send(t, c, http.MethodPost, f.action.String(), "application/x-www-form-urlencoded", strings.NewReader(f.fields.Encode()), origin)
}

// uploadForm posts data as the "image" file of the page's multipart form.
func uploadForm(t *testing.T, c *http.Client, p page, actionSuffix string, data []byte) page {
	t.Helper()
	f := formAction(p, actionSuffix)
	if f == nil {
		t.Fatalf("no upload form posting to %s on %s\n%s", actionSuffix, p.url, p.body)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range f.fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("image", "photo")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return send(t, c, http.MethodPost, f.action.String(), mw.FormDataContentType(), &buf, "")
}

// linkTo returns the absolute URL of the first link whose path is path.
func linkTo(p page, path string) string {
	var to string
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "a" {
			if u, err := p.url.Parse(attr(n, "href")); err == nil && u.Path == path {
				to = u.String()
				return false
			}
		}
		return true
	})
	return to
}

// queueEntry returns the detail URL of the queue row naming email, or "".
func queueEntry(p page, email string) string {
	var to string
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "a" && strings.Contains(text(n), email) {
			if u, err := p.url.Parse(attr(n, "href")); err == nil && strings.HasPrefix(u.Path, "/review/v/") {
				to = u.String()
				return false
			}
		}
		return true
	})
	return to
}

// refreshTarget is where the page's meta refresh goes: its url= part, or
// the page itself.
func refreshTarget(t *testing.T, p page) string {
	t.Helper()
	var content string
	var found bool
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "meta" && strings.EqualFold(attr(n, "http-equiv"), "refresh") {
			content, found = attr(n, "content"), true
			return false
		}
		return true
	})
	if !found {
		t.Fatalf("the waiting page has no meta refresh\n%s", p.body)
	}
	_, target, ok := strings.Cut(content, ";")
	target = strings.TrimSpace(target)
	if !ok || !strings.HasPrefix(strings.ToLower(target), "url=") {
		return p.url.String()
	}
	u, err := p.url.Parse(strings.Trim(target[len("url="):], `'"`))
	if err != nil {
		t.Fatalf("meta refresh %q: %v", content, err)
	}
	return u.String()
}

var codeInMail = regexp.MustCompile(`code is (\d{6})\b`)

// mailedCode reads the last code mailed to addr from the dev mailbox.
func mailedCode(t *testing.T, mailbox *syncBuffer, addr string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		msgs := strings.Split(mailbox.String(), "---- dev mailbox")
		for i := len(msgs) - 1; i >= 0; i-- {
			if !strings.Contains(msgs[i], "\nTo: "+addr+"\n") {
				continue
			}
			if m := codeInMail.FindStringSubmatch(msgs[i]); m != nil {
				return m[1]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no code for %s in the dev mailbox:\n%s", addr, mailbox.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bobPassport renders a TD3 passport page for Bob Brown that expires in
// five years (the ICAO specimen's own expiry is long past).
func bobPassport(t *testing.T) ([]byte, []string) {
	t.Helper()
	lines, err := mrz.Encode(&mrz.Document{Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "BROWN",
		GivenNames: []string{"BOB"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1980, Month: 3, Day: 14}, Sex: "M",
		ExpiryDate: mrz.Date{Year: time.Now().Year() + 5, Month: 4, Day: 15}, OptionalData1: "ZE184226B"})
	if err != nil {
		t.Fatal(err)
	}
	d := ocrtest.TD3(12)
	d.MRZ = lines
	img, _ := ocrtest.Render(t, d)
	return ocrtest.EncodePNG(t, img), lines
}

// selfieImage is a face from the shared test data when present, else a
// small JPEG made here.
func selfieImage(t *testing.T) []byte {
	t.Helper()
	if faces, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "testdata", "faces", "*", "*.png")); len(faces) > 0 {
		if b, err := os.ReadFile(faces[0]); err == nil {
			return b
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// walk visits n and its descendants depth first while fn returns true.
func walk(n *html.Node, fn func(*html.Node) bool) bool {
	if !fn(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walk(c, fn) {
			return false
		}
	}
	return true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		return true
	})
	return b.String()
}

func elementByID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
			return false
		}
		return true
	})
	return found
}

func firstElement(doc *html.Node, tag string) *html.Node {
	var found *html.Node
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == tag {
			found = n
			return false
		}
		return true
	})
	return found
}

// consoleImages checks that the console's review page of the verification
// at reviewPath (the review UI's /review/v/ID) shows alice, in the
// evidence group, bob's document photo and selfie, and serves them.
func consoleImages(t *testing.T, alice *http.Client, app, reviewPath string) {
	t.Helper()
	p := get(t, alice, app+"/.vigil/console/reviews/"+path.Base(reviewPath))
	var srcs []string
	walk(p.doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "img" {
			srcs = append(srcs, attr(n, "src"))
		}
		return true
	})
	if p.status != http.StatusOK || len(srcs) < 2 {
		t.Errorf("console review page: HTTP %d with %d images, want the document photo and the selfie\n%s", p.status, len(srcs), p.body)
		return
	}
	for _, src := range srcs {
		u, err := p.url.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := alice.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || (ct != "image/jpeg" && ct != "image/png") || len(b) == 0 {
			t.Errorf("console image %s: HTTP %d, %s, %d bytes", u.Path, resp.StatusCode, ct, len(b))
		}
	}
}
