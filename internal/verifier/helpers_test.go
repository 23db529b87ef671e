package verifier

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/ocr/ocrtest"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/testenv/mailpit"
)

const (
	testClient   = "app"
	testRedirect = "http://rp.test/callback"
)

// env is a running verifier with real sqlite, mailpit and tesseract.
type env struct {
	t   *testing.T
	v   *Verifier
	db  *sqlite.DB
	mp  *mailpit.Server
	srv *httptest.Server
}

func newEnv(t *testing.T, tweak func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mp := mailpit.Start(t)
	sender, err := mail.New(mail.Config{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: mail.TLSNone, From: "Vigil <no-reply@corp.example>"},
		time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, mp: mp}
	// The issuer needs the address before the server runs: listen first,
	// build the verifier, then serve (no handler swapped under a live
	// server, which the race detector rightly flags).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Issuer:  "http://" + l.Addr().String() + "/idv",
		Clients: []oidcop.Client{{ID: testClient, RedirectURIs: []string{testRedirect}}},
		Master:  []byte("test master secret, at least 32 bytes long"),
		Store:   db, Mail: sender, OCR: needTesseract(t),
		AllowedEmailDomains: []string{"corp.example"}, Organization: "Corp",
		Logger: slog.New(slog.DiscardHandler),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	e.v, err = New(cfg)
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	e.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: e.v}}
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

func needTesseract(t testing.TB) *ocr.Reader {
	t.Helper()
	r := &ocr.Reader{}
	if err := r.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("tesseract is required in CI: %v", err)
		}
		t.Skipf("tesseract not available: %v", err)
	}
	return r
}

// browser is the user's browser plus the relying party: it follows
// redirects inside the verifier and stops at the RP's redirect URI.
type browser struct {
	e        *env
	c        *http.Client
	conf     oauth2.Config
	verifier string
	state    string
	id       string // auth request id
	landed   *url.URL
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{e: e, verifier: oauth2.GenerateVerifier(), state: "st-" + rand.Text()}
	b.c = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), testRedirect) {
			b.landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	b.conf = oauth2.Config{ClientID: testClient, RedirectURL: testRedirect, Scopes: []string{oidc.ScopeOpenID, "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.v.Issuer() + "/authorize", TokenURL: e.v.Issuer() + "/oauth/token"}}
	return b
}

// begin opens the authorization URL and returns the page reached.
func (b *browser) begin(acr, loginHint, claims string) (int, string) {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(b.verifier), oauth2.SetAuthURLParam("acr_values", acr),
		oauth2.SetAuthURLParam("nonce", "n-"+b.state)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	if claims != "" {
		opts = append(opts, oauth2.SetAuthURLParam("claims", claims))
	}
	resp, body := b.do(http.MethodGet, b.conf.AuthCodeURL(b.state, opts...), "", nil)
	if b.id == "" {
		b.id = resp.Request.URL.Query().Get("id")
	}
	return resp.StatusCode, body
}

func (b *browser) do(method, u, ctype string, body io.Reader) (*http.Response, string) {
	b.e.t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) path(p string) string { return b.e.v.Issuer() + p + "?id=" + url.QueryEscape(b.id) }

func (b *browser) postForm(p string, form url.Values) (int, string) {
	resp, body := b.do(http.MethodPost, b.path(p), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	return resp.StatusCode, body
}

func (b *browser) upload(p string, data []byte) (int, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("image", "photo.jpg")
	fw.Write(data)
	mw.Close()
	resp, body := b.do(http.MethodPost, b.path(p), mw.FormDataContentType(), &buf)
	return resp.StatusCode, body
}

var codeInMail = regexp.MustCompile(`code is (\d{6})\b`)

func (b *browser) mailedCode(addr string) string {
	b.e.t.Helper()
	m, err := b.e.mp.LatestMessage(addr)
	if err != nil {
		b.e.t.Fatal(err)
	}
	match := codeInMail.FindStringSubmatch(m.Text)
	if match == nil {
		b.e.t.Fatalf("no code in mail %q", m.Text)
	}
	return match[1]
}

// passEmail sends and enters the code; returns the page after it.
func (b *browser) passEmail(addr string) (int, string) {
	b.e.t.Helper()
	if st, body := b.postForm("/email/send", url.Values{"address": {addr}}); st != http.StatusOK || !strings.Contains(body, "Enter the code") {
		b.e.t.Fatalf("send code: %d %s", st, body)
	}
	return b.postForm("/email/verify", url.Values{"code": {b.mailedCode(addr)}})
}

// token exchanges the code the RP received and verifies the ID token.
func (b *browser) token() (*oidc.IDToken, map[string]any) {
	t := b.e.t
	t.Helper()
	if b.landed == nil {
		t.Fatal("the browser did not reach the relying party")
	}
	if e := b.landed.Query().Get("error"); e != "" {
		t.Fatalf("RP got error %s: %s", e, b.landed.Query().Get("error_description"))
	}
	ctx := oidc.ClientContext(context.Background(), http.DefaultClient)
	tok, err := b.conf.Exchange(ctx, b.landed.Query().Get("code"), oauth2.VerifierOption(b.verifier))
	if err != nil {
		t.Fatal(err)
	}
	provider, err := oidc.NewProvider(ctx, b.e.v.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: testClient}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != "n-"+b.state {
		t.Fatalf("nonce %q", idt.Nonce)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return idt, claims
}

// passport renders a TD3 passport page with the given expiry.
func passport(t testing.TB, expiry mrz.Date) ([]byte, []string) {
	t.Helper()
	return passportOf(t, &mrz.Document{Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON",
		GivenNames: []string{"ANNA", "MARIA"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1974, Month: 8, Day: 12}, Sex: "F", ExpiryDate: expiry, OptionalData1: "ZE184226B"})
}

// passportOf renders a TD3 passport page with d's MRZ.
func passportOf(t testing.TB, d *mrz.Document) ([]byte, []string) {
	t.Helper()
	lines, err := mrz.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	page := ocrtest.TD3(12)
	page.MRZ = lines
	img, _ := ocrtest.Render(t, page)
	return ocrtest.EncodePNG(t, img), lines
}

func validPassport(t testing.TB) ([]byte, []string) {
	return passport(t, mrz.Date{Year: time.Now().Year() + 5, Month: 4, Day: 15})
}

// selfieJPEG is a small JPEG standing in for a camera capture.
func selfieJPEG(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(1, 1, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const schemaBase = "https://bitbucket.org/openid/ekyc-ida/raw/master/schema/"

var idaSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{"claims_schema.json", "verified_claims.json", "verified_claims_request.json"} {
		b, err := os.ReadFile(filepath.Join("..", "ida", "testdata", "schema", f))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(schemaBase+f, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(schemaBase + "verified_claims.json")
})

// validateIDA checks a claims set holding verified_claims against the schema.
func validateIDA(t testing.TB, claims map[string]any) {
	t.Helper()
	s, err := idaSchema()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("verified_claims fail the IDA schema: %v\n%s", err, b)
	}
}

func mrzDate(y, m, d int) mrz.Date { return mrz.Date{Year: y, Month: m, Day: d} }
