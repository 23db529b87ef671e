package verifier

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/assertion"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// testGateway is the part of a Vigil gateway the verifier trusts: a real
// assertion signer with its own key store, publishing its JWKS.
type testGateway struct {
	t      *testing.T
	srv    *httptest.Server
	signer *assertion.Signer
}

func newTestGateway(t *testing.T) *testGateway {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "gateway.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &testGateway{t: t}
	g.signer, err = assertion.New(ctx, assertion.Config{Issuer: "http://" + l.Addr().String(),
		MasterSecret: []byte("gateway master secret, 32 bytes or more"), Store: db})
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(assertion.JWKSPath, g.signer.JWKSHandler())
	g.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux}}
	g.srv.Start()
	t.Cleanup(g.srv.Close)
	return g
}

// hints is the HintVerifier a verifier at issuer would be given.
func (g *testGateway) hints(issuer string) *vigilauth.Verifier {
	v, err := vigilauth.NewVerifier(context.Background(), vigilauth.Config{
		JWKSURL: g.srv.URL + assertion.JWKSPath, Issuer: g.srv.URL, Audience: issuer})
	if err != nil {
		g.t.Fatal(err)
	}
	return v
}

// mint is the gateway's login_hint for a signed-in user, as of now.
func (g *testGateway) mint(aud, email, name string, now time.Time) string {
	g.t.Helper()
	// One session per account name: the signer reuses a session's recent
	// assertion for the same audience.
	sess := &store.Session{ID: "sess-" + email + "-" + name, UserID: "user-" + email, Provider: "corp",
		Identity: identity.Identity{Subject: email, Email: email, Name: name}, ExpiresAt: time.Now().Add(time.Hour)}
	tok, err := g.signer.Mint(sess, aud, now)
	if err != nil {
		g.t.Fatal(err)
	}
	return tok
}

// newHintEnv is a verifier that trusts gw's assertions as login hints.
func newHintEnv(t *testing.T, gw *testGateway) *env {
	return newEnv(t, func(c *Config) { c.Hints = gw.hints(c.Issuer) })
}

// hintDocFlow runs the document rung for an assertion hint up to the
// waiting page with Anna Eriksson's passport; it returns the page.
func hintDocFlow(t *testing.T, e *env, hint, addr string) (*browser, string) {
	t.Helper()
	b := e.browser()
	if st, body := b.begin(RungDocumentReview, hint, vcRequest); st != http.StatusOK || !strings.Contains(body, addr) {
		t.Fatalf("start: %d %s", st, body)
	}
	if st, body := b.passEmail(addr); st != http.StatusOK || !strings.Contains(body, "Photograph your document") {
		t.Fatalf("after email: %d %s", st, body)
	}
	img, lines := validPassport(t)
	st, body := b.upload("/document", img)
	if st == http.StatusOK && strings.Contains(body, "Fix the scanned text") {
		st, body = b.postForm("/document/correct", url.Values{"mrz": {strings.Join(lines, "\n")}})
	}
	if st != http.StatusOK || !strings.Contains(body, "ERIKSSON") {
		t.Fatalf("document: %d %s", st, body)
	}
	st, body = b.upload("/selfie", selfieJPEG(t))
	if st != http.StatusOK || !strings.Contains(body, "Waiting for review") {
		t.Fatalf("selfie: %d %s", st, body)
	}
	return b, body
}

func (e *env) record(t *testing.T, b *browser) *store.Verification {
	t.Helper()
	rec, err := e.db.GetVerificationByAuthRequest(context.Background(), b.id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestHintNameMatches(t *testing.T) {
	gw := newTestGateway(t)
	e := newHintEnv(t, gw)
	hint := gw.mint(e.v.Issuer(), "anna@corp.example", "Anna Maria Eriksson", time.Now())
	b, body := hintDocFlow(t, e, hint, "anna@corp.example")
	if strings.Contains(body, ReasonNameNotCompared) || strings.Contains(body, ReasonNameMismatch) {
		t.Fatalf("waiting page has a name reason although the names match:\n%s", body)
	}
	rec := e.record(t, b)
	if rec.ClaimedName != "Anna Maria Eriksson" || rec.ClaimedEmail != "anna@corp.example" ||
		rec.Status != store.VerificationReview || strings.Join(rec.Reasons, ",") != ReasonManualReview {
		t.Fatalf("record: name %q email %q status %s reasons %v", rec.ClaimedName, rec.ClaimedEmail, rec.Status, rec.Reasons)
	}
	e.approveAll(t)
	b.do(http.MethodGet, b.path("/status"), "", nil)
	if _, claims := b.token(); claims["verified_claims"] == nil {
		t.Fatalf("no verified_claims after approval: %v", claims)
	}

	// The approval is reused for the same account, but not when the
	// account's name is another's: that is a fresh verification.
	again := e.browser()
	again.begin(RungDocumentReview, gw.mint(e.v.Issuer(), "anna@corp.example", "Eriksson, Anna Maria", time.Now()), vcRequest)
	if again.landed == nil || again.landed.Query().Get("code") == "" {
		t.Fatalf("same name: the approval was not reused (landed %v)", again.landed)
	}
	other := e.browser()
	st, page := other.begin(RungDocumentReview, gw.mint(e.v.Issuer(), "anna@corp.example", "Bob Brown", time.Now()), vcRequest)
	if other.landed != nil || st != http.StatusOK || !strings.Contains(page, "Confirm your work email") {
		t.Fatalf("another name reused Anna's approval: HTTP %d, landed %v", st, other.landed)
	}
}

func TestHintNameMismatchGoesToReview(t *testing.T) {
	gw := newTestGateway(t)
	e := newHintEnv(t, gw)
	// Bob's account, Anna's passport.
	hint := gw.mint(e.v.Issuer(), "bob@corp.example", "Bob Brown", time.Now())
	b, body := hintDocFlow(t, e, hint, "bob@corp.example")
	if !strings.Contains(body, ReasonNameMismatch) || strings.Contains(body, ReasonNameNotCompared) {
		t.Fatalf("waiting page lacks %s:\n%s", ReasonNameMismatch, body)
	}
	rec := e.record(t, b)
	if rec.Status != store.VerificationReview || rec.ClaimedName != "Bob Brown" ||
		strings.Join(rec.Reasons, ",") != ReasonManualReview+","+ReasonNameMismatch {
		t.Fatalf("record: status %s name %q reasons %v", rec.Status, rec.ClaimedName, rec.Reasons)
	}
	// Nothing approves it but a reviewer: the status page keeps waiting.
	_, body = b.do(http.MethodGet, b.path("/status"), "", nil)
	if b.landed != nil || !strings.Contains(body, "Waiting for review") {
		t.Fatalf("mismatched name left review: landed %v\n%s", b.landed, body)
	}
	q, err := e.v.Queue(context.Background(), 10)
	if err != nil || len(q) != 1 || q[0].ID != rec.ID {
		t.Fatalf("queue: %v %+v", err, q)
	}
}

func TestHintRefused(t *testing.T) {
	gw := newTestGateway(t)
	forger := newTestGateway(t) // its own keys, its own issuer
	cases := []struct {
		name  string
		trust bool // the verifier has a HintVerifier
		hint  func(aud string) string
		desc  string
	}{
		{name: "forged", trust: true, hint: func(aud string) string {
			return forger.mint(aud, "bob@corp.example", "Bob Brown", time.Now())
		}},
		{name: "tampered name", trust: true, hint: func(aud string) string {
			p := strings.Split(gw.mint(aud, "bob@corp.example", "Bob Brown", time.Now()), ".")
			claims, _ := base64.RawURLEncoding.DecodeString(p[1])
			p[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), "Bob Brown", "Anna Maria Eriksson", 1)))
			return strings.Join(p, ".")
		}},
		{name: "expired", trust: true, hint: func(aud string) string {
			return gw.mint(aud, "bob@corp.example", "Bob Brown", time.Now().Add(-time.Hour))
		}},
		{name: "wrong audience", trust: true, hint: func(string) string {
			return gw.mint("wiki", "bob@corp.example", "Bob Brown", time.Now())
		}},
		{name: "not a token", trust: true, hint: func(string) string { return "eyJhbGciOiJub25lIn0.e30.x" }},
		{name: "no gateway trusted", hint: func(aud string) string {
			return gw.mint(aud, "bob@corp.example", "Bob Brown", time.Now())
		}},
		{name: "plain text", trust: true, hint: func(string) string { return "bob" }, desc: "login_hint is not an email address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) {
				if tc.trust {
					c.Hints = gw.hints(c.Issuer)
				}
			})
			b := e.browser()
			b.begin(RungDocumentReview, tc.hint(e.v.Issuer()), vcRequest)
			want := tc.desc
			if want == "" {
				want = "login_hint could not be verified"
			}
			if b.landed == nil || b.landed.Query().Get("error") != "invalid_request" ||
				b.landed.Query().Get("error_description") != want || b.landed.Query().Get("code") != "" {
				t.Fatalf("RP got %v, want invalid_request %q", b.landed, want)
			}
			if all, err := e.db.ListVerifications(context.Background(), "", 0); err != nil || len(all) != 0 {
				t.Fatalf("verifications stored after a refused hint: %v %d", err, len(all))
			}
		})
	}
}

var hintCases = []string{
	"", "bob@corp.example", " Bob@Corp.Example ", "bob", "a.b.c", "a..b", "eyJhbGciOiJub25lIn0.e30.",
	"bob.brown@corp.example", "x.y.z@corp.example", strings.Repeat("a", 600) + ".b.c",
}

func TestClaimedIdentityPlain(t *testing.T) {
	v := &Verifier{cfg: Config{Logger: slog.New(slog.DiscardHandler)}}
	cases := []struct {
		hint, email string
		ok          bool
	}{
		{"", "", true},
		{"bob@corp.example", "bob@corp.example", true},
		{" Bob@Corp.Example ", "Bob@corp.example", true},
		{"bob.brown@corp.example", "bob.brown@corp.example", true},
		{"bob", "", false},
		{"a.b.c", "", false}, // shaped like a JWS: must verify, and no verifier is set
		{"eyJhbGciOiJub25lIn0.e30.", "", false},
	}
	for _, tc := range cases {
		c, err := v.claimedIdentity(context.Background(), tc.hint)
		if (err == nil) != tc.ok || c.email != tc.email || c.name != "" {
			t.Errorf("claimedIdentity(%q) = %+v, %v; want email %q ok %v", tc.hint, c, err, tc.email, tc.ok)
		}
	}
}

// FuzzClaimedIdentity: without a trusted gateway no hint yields a name,
// anything shaped like a token is refused, and an accepted email is
// normalised (no surrounding space).
func FuzzClaimedIdentity(f *testing.F) {
	for _, h := range hintCases {
		f.Add(h)
	}
	v := &Verifier{cfg: Config{Logger: slog.New(slog.DiscardHandler)}}
	f.Fuzz(func(t *testing.T, hint string) {
		c, err := v.claimedIdentity(context.Background(), hint)
		if err != nil {
			return
		}
		if c.name != "" || looksLikeJWS(hint) || strings.ContainsAny(c.email, " \t\r\n") || (hint != "" && c.email == "") {
			t.Fatalf("claimedIdentity(%q) = %+v", hint, c)
		}
	})
}
