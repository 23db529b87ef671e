package review

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

func post(e *env, id, action, tok string, form url.Values) response {
	return e.do("POST", "/v/"+id+"/"+action, tok, form, nil)
}

func TestApprove(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-ok", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	r := post(e, s.id, "approve", e.reviewerToken(), url.Values{"version": {"1"}, "note": {"  matches the portrait  "}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/v/v-ok?done=approved" {
		t.Fatalf("status %d, location %q: %s", r.status, r.header.Get("Location"), r.text())
	}
	rec := e.status(s.id)
	if rec.Status != store.VerificationApproved || rec.Reviewer != reviewerEmail || rec.ReviewNote != "matches the portrait" || rec.PersonSubject == "" {
		t.Fatalf("record %+v", rec)
	}
	page := e.do("GET", r.header.Get("Location"), e.reviewerToken(), nil, nil).text()
	if !strings.Contains(page, "Approved.") || strings.Contains(page, `action="/v/v-ok/approve"`) {
		t.Error("the decided page still offers the forms or lacks the notice")
	}
}

func TestReject(t *testing.T) {
	tests := []struct {
		name     string
		form     url.Values
		status   int
		recorded string // ReviewNote; empty: still in review
	}{
		{"reason and text", url.Values{"reason": {"face-mismatch"}, "note": {"different person"}}, http.StatusSeeOther, "face-mismatch: different person"},
		{"reason only", url.Values{"reason": {"document-expired"}}, http.StatusSeeOther, "document-expired"},
		{"no reason", url.Values{"note": {"nope"}}, http.StatusUnprocessableEntity, ""},
		{"unknown reason", url.Values{"reason": {"i-said-so"}}, http.StatusUnprocessableEntity, ""},
		{"other without text", url.Values{"reason": {"other"}}, http.StatusUnprocessableEntity, ""},
		{"other with text", url.Values{"reason": {"other"}, "note": {"camera pointed at a screen"}}, http.StatusSeeOther, "other: camera pointed at a screen"},
		{"no version", url.Values{"reason": {"other"}, "note": {"x"}, "version": {""}}, http.StatusBadRequest, ""},
		{"note too long", url.Values{"reason": {"other"}, "note": {strings.Repeat("x", 501)}}, http.StatusUnprocessableEntity, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			s := e.seed("v-r", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
			if _, ok := tc.form["version"]; !ok {
				tc.form.Set("version", "1")
			}
			r := post(e, s.id, "reject", e.reviewerToken(), tc.form)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.text())
			}
			rec := e.status(s.id)
			switch {
			case tc.recorded == "" && rec.Status != store.VerificationReview:
				t.Fatalf("refused form changed the status to %s", rec.Status)
			case tc.recorded != "" && (rec.Status != store.VerificationRejected || rec.ReviewNote != tc.recorded || rec.Reviewer != reviewerEmail):
				t.Fatalf("record %+v", rec)
			}
		})
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-x", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	tok := e.reviewerToken()
	for name, hdr := range map[string]map[string]string{
		"fetch metadata cross-site": {"Sec-Fetch-Site": "cross-site"},
		"fetch metadata same-site":  {"Sec-Fetch-Site": "same-site"},
		"origin of another site":    {"Sec-Fetch-Site": "", "Origin": "https://evil.example"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do("POST", "/v/"+s.id+"/approve", tok, url.Values{"version": {"1"}}, hdr)
			if r.status != http.StatusForbidden || !strings.Contains(r.text(), "another site") {
				t.Fatalf("status %d: %s", r.status, r.text())
			}
			if got := e.status(s.id).Status; got != store.VerificationReview {
				t.Fatalf("status changed to %s", got)
			}
		})
	}
}

func TestSecondApproveAlreadyDecided(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-twice", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	tok := e.reviewerToken()
	form := url.Values{"version": {"1"}}
	if r := post(e, s.id, "approve", tok, form); r.status != http.StatusSeeOther {
		t.Fatalf("first approve: %d %s", r.status, r.text())
	}
	for _, action := range []string{"approve", "reject"} {
		f := url.Values{"version": {"1"}, "reason": {"face-mismatch"}}
		r := post(e, s.id, action, tok, f)
		if r.status != http.StatusConflict || !strings.Contains(r.text(), "Already decided") || !strings.Contains(r.text(), "approved") {
			t.Fatalf("second %s: %d %s", action, r.status, r.text())
		}
	}
	if rec := e.status(s.id); rec.Status != store.VerificationApproved {
		t.Fatalf("status %s", rec.Status)
	}
}

// TestDoubleSubmitRace sends two decisions at once: the verifier's
// optimistic concurrency lets exactly one win.
func TestDoubleSubmitRace(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-race", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	tok := e.reviewerToken()
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			action, f := "approve", url.Values{"version": {"1"}}
			if i%2 == 1 {
				action, f = "reject", url.Values{"version": {"1"}, "reason": {"suspected-fraud"}}
			}
			statuses[i] = post(e, s.id, action, tok, f).status
		})
	}
	wg.Wait()
	won, lost := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
			lost++
		}
	}
	if won != 1 || lost != len(statuses)-1 {
		t.Fatalf("statuses %v", statuses)
	}
}

func TestStaleVersionShowsPageAgain(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-stale", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	r := post(e, s.id, "approve", e.reviewerToken(), url.Values{"version": {"7"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/v/v-stale" {
		t.Fatalf("status %d location %q", r.status, r.header.Get("Location"))
	}
	if got := e.status(s.id).Status; got != store.VerificationReview {
		t.Fatalf("stale form decided: %s", got)
	}
}

func TestOwnVerificationRefused(t *testing.T) {
	e := newEnv(t, nil)
	s := e.seed("v-own", store.VerificationReview, reviewerEmail, "Rita Reviewer", time.Hour)
	tok := e.reviewerToken()
	if page := e.do("GET", "/v/"+s.id, tok, nil, nil).text(); strings.Contains(page, `action="/v/v-own/approve"`) {
		t.Error("own verification offers the approve form")
	}
	if r := post(e, s.id, "approve", tok, url.Values{"version": {"1"}}); r.status != http.StatusForbidden {
		t.Fatalf("status %d", r.status)
	}
	if got := e.status(s.id).Status; got != store.VerificationReview {
		t.Fatalf("status %s", got)
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
