package review

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	good := e.reviewerToken()
	tests := []struct {
		name   string
		hdr    map[string]string
		tok    string
		status int
		want   string
	}{
		{"no assertion", nil, "", http.StatusUnauthorized, "Sign-in required"},
		{"garbage assertion", nil, "not-a-jwt", http.StatusUnauthorized, "unauthenticated"},
		{"forged signature", nil, good[:len(good)-4] + "AAAA", http.StatusUnauthorized, "unauthenticated"},
		{"wrong group", nil, e.token("eve@corp.example", "eng", "sales"), http.StatusForbidden, "not in a reviewer group"},
		{"no groups", nil, e.token("eve@corp.example"), http.StatusForbidden, "Reviewers only"},
		{"reviewer", nil, good, http.StatusOK, "Waiting for review"},
		{"second configured group", nil, e.token("al@corp.example", "admins"), http.StatusOK, "Waiting for review"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/", tc.tok, nil, tc.hdr)
			if r.status != tc.status || !strings.Contains(r.text(), tc.want) {
				t.Fatalf("status %d, want %d with %q; body:\n%s", r.status, tc.status, tc.want, r.text())
			}
			if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
				t.Errorf("CSP = %q", csp)
			}
		})
	}
	// Two assertion headers are ambiguous: refused even if both are good.
	req, _ := http.NewRequest("GET", e.base+"/", nil)
	req.Header.Add(vigilauth.DefaultHeader, good)
	req.Header.Add(vigilauth.DefaultHeader, good)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("repeated header: status %d", resp.StatusCode)
	}
	// Every route is guarded, not only the queue.
	s := e.seed("v-guard", store.VerificationReview, "ada@corp.example", "Anna Eriksson", time.Hour)
	for _, p := range []string{"/v/" + s.id, "/v/" + s.id + "/evidence/" + s.docID} {
		if r := e.do("GET", p, "", nil, nil); r.status != http.StatusUnauthorized || bytes.Contains(r.body, s.doc) {
			t.Errorf("GET %s without assertion: %d", p, r.status)
		}
	}
	if r := e.do("POST", "/v/"+s.id+"/approve", e.token("eve@corp.example", "eng"), url.Values{"version": {"1"}}, nil); r.status != http.StatusForbidden {
		t.Errorf("approve by non-reviewer: %d", r.status)
	}
	if got := e.status(s.id).Status; got != store.VerificationReview {
		t.Fatalf("status changed to %s", got)
	}
}

func TestQueueListsPending(t *testing.T) {
	e := newEnv(t, nil)
	e.seed("v-newer", store.VerificationReview, "bob@corp.example", "Bob Stone", 20*time.Minute)
	e.seed("v-older", store.VerificationReview, "ada@corp.example", "", 2*time.Hour)
	e.seed("v-started", store.VerificationStarted, "carl@corp.example", "Carl", 3*time.Hour)
	r := e.do("GET", "/", e.reviewerToken(), nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.text())
	}
	body := r.text()
	for _, want := range []string{
		"2 waiting", `href="/v/v-older"`, `href="/v/v-newer"`, "ada@corp.example", "bob@corp.example",
		"2h 00m", "20m", "document-review", "manual-review-required", "name-not-compared", reviewerEmail,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	if strings.Contains(body, "v-started") || strings.Contains(body, "carl@") {
		t.Error("queue shows a verification that is not waiting for review")
	}
	if strings.Index(body, "v-older") > strings.Index(body, "v-newer") {
		t.Error("queue is not oldest first")
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.header)
	}
}

func TestDetailShowsFieldsAndEvidence(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-1", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	other := e.seed("v-2", store.VerificationReview, "bob@corp.example", "Bob", time.Hour)
	tok := e.reviewerToken()
	r := e.do("GET", "/v/"+s.id, tok, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.text())
	}
	body := r.text()
	for _, want := range []string{
		"ada@corp.example", "ERIKSSON", "ANNA", "MARIA", "L898902C3", "UTO", "1974-08-12", "2030-04-15",
		">valid<", "Anna Maria Eriksson", "ANNA MARIA ERIKSSON", "same words", "not recorded",
		`src="/v/v-1/evidence/v-1-doc"`, `src="/v/v-1/evidence/v-1-selfie"`, "document-front", "selfie",
		`action="/v/v-1/approve"`, `action="/v/v-1/reject"`, `name="version" value="1"`, "suspected-fraud",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("detail CSP = %q", csp)
	}
	// The images round-trip: sealed in the store, opened by the verifier.
	for _, c := range []struct {
		eid, ver string
		want     []byte
	}{{s.docID, s.id, s.doc}, {s.selfieID, s.id, s.selfie}} {
		img := e.do("GET", "/v/"+c.ver+"/evidence/"+c.eid, tok, nil, nil)
		if img.status != http.StatusOK || !bytes.Equal(img.body, c.want) {
			t.Fatalf("evidence %s: status %d, %d bytes", c.eid, img.status, len(img.body))
		}
		h := img.header
		if h.Get("Content-Type") != "image/png" || h.Get("Cache-Control") != "no-store" ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("evidence headers %v", h)
		}
	}
	// Evidence is served only under its own verification.
	if r := e.do("GET", "/v/"+s.id+"/evidence/"+other.docID, tok, nil, nil); r.status != http.StatusNotFound || bytes.Contains(r.body, other.doc) {
		t.Errorf("cross-record evidence: %d", r.status)
	}
	for _, p := range []string{"/v/nope", "/v/bad%20id", "/v/" + s.id + "/evidence/nope", "/nowhere"} {
		if r := e.do("GET", p, tok, nil, nil); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.status)
		}
	}
}

func TestDetailFlagsNameAndExpiry(t *testing.T) {
	e := newEnv(t, nil)
	e.seed("v-mismatch", store.VerificationReview, "ada@corp.example", "Ada Lovelace", time.Hour)
	e.seed("v-noname", store.VerificationReview, "ada@corp.example", "", time.Hour)
	tok := e.reviewerToken()
	if body := e.do("GET", "/v/v-mismatch", tok, nil, nil).text(); !strings.Contains(body, ">differs<") {
		t.Error("a different name is not flagged")
	}
	if body := e.do("GET", "/v/v-noname", tok, nil, nil).text(); !strings.Contains(body, ">not compared<") {
		t.Error("a missing claimed name is not flagged")
	}
}

func TestBasePath(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.BasePath = "/review/" })
	e.seed("v-b", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	r := e.do("GET", "/", e.reviewerToken(), nil, nil)
	if r.status != http.StatusOK || !strings.Contains(r.text(), `href="/review/v/v-b"`) || !strings.Contains(r.text(), `href="/review/static/style.css"`) {
		t.Fatalf("status %d: %s", r.status, r.text())
	}
	if css := e.do("GET", "/static/style.css", "", nil, nil); css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", css.status, css.header)
	}
	if r := e.do("GET", "", "", nil, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/review/" {
		t.Fatalf("bare base path: %d %q", r.status, r.header.Get("Location"))
	}
	if r := e.do("GET", "/../v/v-b", e.reviewerToken(), nil, nil); r.status == http.StatusOK {
		t.Fatal("served outside the base path")
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Options{ReviewerGroups: []string{" "}, BasePath: "review", TrustedOrigins: []string{"not a url"}})
	if err == nil {
		t.Fatal("New accepted empty options")
	}
	for _, want := range []string{"verifier", "store", "assertion", "empty strings", "base path", "not a url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
