package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/evidence/ocr"
	"github.com/vigil-gw/vigil/internal/evidence/vault"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/mail"
	"github.com/vigil-gw/vigil/internal/oidcop"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/internal/verifier"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

const (
	testApp       = "review"
	reviewerGroup = "idv-reviewers"
	reviewerEmail = "rita@corp.example"
)

var (
	testNow    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	testMaster = []byte("test master secret, at least 32 bytes long")
)

// env is the review app behind real parts: a sqlite store in a temp dir,
// the verifier on it, the gateway's assertion signer with its JWKS served
// over HTTP, and vigilauth checking assertions against it.
type env struct {
	t      testing.TB
	db     *sqlite.DB
	v      *verifier.Verifier
	signer *assertion.Signer
	vault  *vault.Vault
	srv    *httptest.Server
	client *http.Client
	base   string
	nsess  int
}

func newEnv(t testing.TB, tweak func(*Options)) *env {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return testNow }
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vigil.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	gw := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(gw.Close)
	signer, err := assertion.New(ctx, assertion.Config{Issuer: gw.URL, MasterSecret: testMaster, Store: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	gw.Config.Handler = signer.JWKSHandler()
	av, err := vigilauth.NewVerifier(ctx, vigilauth.Config{
		JWKSURL: gw.URL + assertion.JWKSPath, Issuer: gw.URL, Audience: testApp, Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Config{
		Issuer:  "https://idv.corp.example",
		Clients: []oidcop.Client{{ID: "gw", RedirectURIs: []string{"https://gw.corp.example/callback"}}},
		Master:  testMaster, Store: db, Mail: mail.NewDevMailbox(io.Discard), OCR: &ocr.Reader{},
		Clock: clock, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	vt, err := vault.New(testMaster, nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{
		Verifier: v, Store: db, Assertions: av, ReviewerGroups: []string{"admins", reviewerGroup},
		Clock: clock, Logger: slog.New(slog.DiscardHandler),
	}
	if tweak != nil {
		tweak(&opt)
	}
	h, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{
		t: t, db: db, v: v, signer: signer, vault: vt, srv: srv, base: srv.URL + strings.TrimRight(opt.BasePath, "/"),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// token mints the gateway's assertion for a user in groups.
func (e *env) token(email string, groups ...string) string {
	e.t.Helper()
	e.nsess++
	sess := &store.Session{
		ID: fmt.Sprintf("s-%d", e.nsess), UserID: "u-" + email, Provider: "okta", ExpiresAt: testNow.Add(time.Hour),
		Identity: identity.Identity{Subject: "idp-" + email, Email: email, Groups: groups, AuthTime: testNow},
	}
	tok, err := e.signer.Mint(sess, testApp, testNow)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *env) reviewerToken() string { return e.token(reviewerEmail, "eng", reviewerGroup) }

// response is a read response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) text() string { return string(r.body) }

// do sends a request with the assertion (when tok is not empty) and, for
// POSTs, the same-origin fetch metadata a browser sends.
func (e *env) do(method, path, tok string, form url.Values, hdr map[string]string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set(vigilauth.DefaultHeader, tok)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// stepsJSON is Verification.Steps as the verifier writes it at the review
// stage (internal/verifier/steps.go).
const stepsJSON = `{
 "email": {"address": "ada@corp.example", "verified_at": "2026-03-01T09:50:00Z"},
 "document": {"evidence_id": "%DOC%", "checked_at": "2026-03-01T09:55:00Z", "fields": {
   "code": "P", "issuing_state": "UTO", "number": "L898902C3", "surname": "ERIKSSON",
   "given_names": ["ANNA", "MARIA"], "nationality": "UTO", "birth_date": "1974-08-12",
   "expiry": "2030-04-15", "sex": "F"}},
 "selfie": {"evidence_id": "%SELFIE%", "at": "2026-03-01T09:58:00Z"},
 "finished_at": "2026-03-01T09:58:00Z"
}`

// seeded is a verification waiting for review with its two images.
type seeded struct {
	id, docID, selfieID string
	doc, selfie         []byte
}

// seed stores a verification in status (usually review), created age ago,
// with sealed document and selfie images.
func (e *env) seed(id, status, claimedEmail, claimedName string, age time.Duration) seeded {
	e.t.Helper()
	ctx := context.Background()
	s := seeded{id: id, docID: id + "-doc", selfieID: id + "-selfie", doc: testPNG(e.t, 1), selfie: testPNG(e.t, 2)}
	steps := strings.NewReplacer("%DOC%", s.docID, "%SELFIE%", s.selfieID).Replace(stepsJSON)
	created := testNow.Add(-age)
	rec := &store.Verification{
		ID: id, AuthRequestID: "ar-" + id, ClientID: "gw", Rung: verifier.RungDocumentReview, Status: status,
		ClaimedEmail: claimedEmail, ClaimedName: claimedName, Steps: []byte(steps),
		Reasons:   []string{verifier.ReasonManualReview},
		CreatedAt: created, UpdatedAt: created, ExpiresAt: testNow.Add(24 * time.Hour),
	}
	if claimedName == "" {
		rec.Reasons = append(rec.Reasons, verifier.ReasonNameNotCompared)
	}
	if err := e.db.CreateVerification(ctx, rec); err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range []struct {
		id, kind string
		data     []byte
	}{{s.docID, verifier.KindDocument, s.doc}, {s.selfieID, verifier.KindSelfie, s.selfie}} {
		sealed, err := e.vault.Seal(ev.id, ev.kind, ev.data)
		if err != nil {
			e.t.Fatal(err)
		}
		sum := sha256.Sum256(ev.data)
		if err := e.db.PutEvidence(ctx, &store.Evidence{
			ID: ev.id, VerificationID: id, Kind: ev.kind, ContentType: "image/png", Sealed: sealed,
			Size: len(ev.data), SHA256: hex.EncodeToString(sum[:]), CreatedAt: created, DeleteAfter: testNow.Add(30 * 24 * time.Hour),
		}); err != nil {
			e.t.Fatal(err)
		}
	}
	return s
}

func (e *env) status(id string) *store.Verification {
	e.t.Helper()
	rec, err := e.db.GetVerification(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// testPNG is a small real PNG whose pixels depend on seed.
func testPNG(t testing.TB, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i) * seed
	}
	img.Set(0, 0, color.RGBA{R: seed, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
