package server_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/demoidp"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/ocr/ocrtest"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/internal/testenv/proc"
)

// startReviewGateway is the gateway with the console (admins: alice), the
// admin API (adminToken), the built-in verifier under /idv with the dev
// mailbox going to the returned buffer, and one app that lets sales (bob,
// dave) in with a verified identity (ial2) from that verifier.
func startReviewGateway(t *testing.T, tweak func(*config.Config)) (*demoEnv, *syncBuffer) {
	t.Helper()
	e, gwL := newDemoEnv(t, "demo-client-secret-for-console-review", append(demoidp.DefaultUsers(),
		demoidp.User{Subject: "demo-dave", Username: "dave", Password: "dave-demo-password", Email: "dave@example.com",
			Name: "Dave Doe", GivenName: "Dave", FamilyName: "Doe", Groups: []string{"sales"}}))

	const idvSecret = "idv-client-secret-for-console-review"
	idvIssuer := e.public + "/idv"
	cfg := e.config([]config.Rule{{Name: "verified-sales", Action: "allow",
		Include: []config.Selector{{Group: config.StringList{"sales"}}},
		Require: []config.Selector{{Verified: "ial2"}}}})
	cfg.Admin.Console.Group = "admins"
	cfg.Admin.Token = config.Secret{Value: adminToken}
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
	if tweak != nil {
		tweak(cfg)
	}
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("configuration: %v", err)
	}

	// The dev mailbox comes to the test, not stderr.
	mailbox := &syncBuffer{}
	e.srv = serveWith(t, gwL, cfg, server.Options{DevMailbox: mailbox})
	return e, mailbox
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
	return faceOf(t, "penny", "penny1.png")
}

// faceOf is a face from the shared test data: person's file.
func faceOf(t *testing.T, person, file string) []byte {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "testdata", "faces", person, file)
	b, err := os.ReadFile(path)
	if err != nil {
		proc.Unavailable(t, "no face crop at %s (shared/testdata beside the clone): %v", path, err)
	}
	return b
}

// passportOf renders a passport page for surname and given name with
// document number, valid for five more years; it returns the PNG and its
// MRZ lines.
func passportOf(t *testing.T, surname, given, number string) ([]byte, []string) {
	t.Helper()
	lines, err := mrz.Encode(&mrz.Document{Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO",
		Surname: surname, GivenNames: []string{given}, DocumentNumber: number, Nationality: "UTO",
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

// verifyToReview signs user in with c at the app, which sends them to
// the built-in verifier, and goes through every step for real: the code
// mailed to email, the passport (typing the MRZ when tesseract misreads
// it, as the page asks), the selfie. It returns the waiting page's URL.
func verifyToReview(t *testing.T, e *demoEnv, mailbox *syncBuffer, c *http.Client, user, email string, passport []byte, mrzLines []string, selfie []byte) string {
	t.Helper()
	p := reviewPage(t, signInDemo(t, c, e.public+"/reports", user))
	if p.status != http.StatusOK || p.url.Path != "/idv/email" || !strings.Contains(p.body, `value="`+email+`"`) {
		t.Fatalf("%s after sign-in: HTTP %d at %s, want the verifier's email page for them:\n%s", user, p.status, p.url, p.body)
	}
	p = p.post(t, c, "/idv/email/send", url.Values{"address": {email}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Enter the code") {
		t.Fatalf("%s: send the code: HTTP %d at %s:\n%s", user, p.status, p.url, p.body)
	}
	p = p.post(t, c, "/idv/email/verify", url.Values{"code": {devMailboxCode(t, mailbox, email)}})
	if p.status != http.StatusOK || p.url.Path != "/idv/document" {
		t.Fatalf("%s: enter the code: HTTP %d at %s, want the document step:\n%s", user, p.status, p.url, p.body)
	}
	p = p.upload(t, c, "/idv/document", passport)
	if p.status == http.StatusOK && strings.Contains(p.body, "Fix the scanned text") {
		t.Logf("tesseract misread %s's MRZ: they type it, as the page asks", user)
		p = p.post(t, c, "/idv/document/correct", url.Values{"mrz": {strings.Join(mrzLines, "\n")}})
	}
	surname := strings.SplitN(mrzLines[0][5:], "<", 2)[0]
	if p.status != http.StatusOK || !strings.Contains(p.body, "Check your details") || !strings.Contains(p.body, surname) {
		t.Fatalf("%s: document: HTTP %d at %s, want the details read from the MRZ (%s):\n%s", user, p.status, p.url, surname, p.body)
	}
	p = p.follow(t, c, "/idv/selfie")
	p = p.upload(t, c, "/idv/selfie", selfie)
	if p.status != http.StatusOK || p.url.Path != "/idv/status" || !strings.Contains(p.body, "Waiting for review") {
		t.Fatalf("%s: selfie: HTTP %d at %s, want the waiting page:\n%s", user, p.status, p.url, p.body)
	}
	return p.url.String()
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

// pendingReview is the ID and reasons of email's verification waiting for
// review, read through the admin API.
func pendingReview(t *testing.T, e *demoEnv, email string) (id string, reasons []string) {
	t.Helper()
	var list struct {
		Reviews []struct {
			ID           string   `json:"id"`
			ClaimedEmail string   `json:"claimed_email"`
			Reasons      []string `json:"reasons"`
		} `json:"reviews"`
	}
	if code := (&riskEnv{public: e.public}).admin(t, "GET", "/reviews", nil, &list); code != http.StatusOK {
		t.Fatalf("GET /reviews: HTTP %d", code)
	}
	for _, r := range list.Reviews {
		if r.ClaimedEmail == email {
			return r.ID, r.Reasons
		}
	}
	t.Fatalf("no verification of %s waits for review: %+v", email, list.Reviews)
	return "", nil
}

// approveReview approves verification id through the admin API.
func approveReview(t *testing.T, e *demoEnv, id string) {
	t.Helper()
	api := &riskEnv{public: e.public}
	if code := api.admin(t, "POST", "/reviews/"+url.PathEscape(id)+"/approve", map[string]string{"reason": "checked"}, nil); code != http.StatusOK {
		t.Fatalf("approve %s: HTTP %d", id, code)
	}
}
