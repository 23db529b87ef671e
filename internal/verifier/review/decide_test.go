package review

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

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
