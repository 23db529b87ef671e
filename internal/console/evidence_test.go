package console_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
	"github.com/vigil-gw/vigil/internal/console"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
)

// evidenceConsole is the console over the admin test server's real review
// queue (real verifier, sealed evidence, audit file), with two admins:
// one also in the evidence group, one not.
type evidenceConsole struct {
	srv                   *admintest.Server
	h                     *console.Handler
	reviewer, onlyConsole string // session cookies
}

func newEvidenceConsole(t *testing.T, evidenceGroup string) *evidenceConsole {
	t.Helper()
	srv := admintest.New(t)
	h, err := console.New(console.Options{Service: srv.Service, Sessions: srv.Sessions, Reviews: srv.Reviews,
		Group: "admins", EvidenceGroup: evidenceGroup, CSRFKey: []byte("console-evidence-test-csrf-key-0123456789"),
		PublicURL: "https://vigil.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	login := func(email string, groups ...string) string {
		c, _, err := srv.Sessions.Create(t.Context(), identity.Identity{Provider: "corp", Subject: email, Email: email, Groups: groups}, session.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return &evidenceConsole{srv: srv, h: h, reviewer: login("alice@example.com", "admins", "reviewers"),
		onlyConsole: login("carol@example.com", "admins")}
}

func (e *evidenceConsole) get(cookie, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "https://vigil.example.com"+path, nil)
	r.AddCookie(&http.Cookie{Name: e.srv.Sessions.CookieName(), Value: cookie})
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func evidenceURL(vid, eid string) string {
	return console.BasePath + "/reviews/" + vid + "/evidence/" + eid
}

func TestConsoleEvidenceReviewer(t *testing.T) {
	e := newEvidenceConsole(t, "reviewers")
	page := e.get(e.reviewer, console.BasePath+"/reviews/"+admintest.ReviewID)
	body := page.Body.String()
	if page.Code != 200 {
		t.Fatalf("review page: HTTP %d\n%s", page.Code, body)
	}
	for _, eid := range []string{admintest.EvidenceDoc, admintest.EvidenceSelfie} {
		src := evidenceURL(admintest.ReviewID, eid)
		if !strings.Contains(body, `<img src="`+src+`"`) || !strings.Contains(body, `<a href="`+src+`">`) {
			t.Errorf("review page lacks the image and link %s", src)
		}
	}
	if strings.Count(body, "<img") != 2 || strings.Contains(body, admintest.EvidenceChipData+`"`) {
		t.Errorf("want exactly the two images (not the chip data):\n%s", body)
	}
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") || strings.Contains(csp, "script-src") {
		t.Errorf("page CSP %q", csp)
	}

	for _, tc := range []struct{ eid, ct string }{{admintest.EvidenceDoc, "image/jpeg"}, {admintest.EvidenceSelfie, "image/png"}} {
		w := e.get(e.reviewer, evidenceURL(admintest.ReviewID, tc.eid))
		if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), e.srv.Evidence[tc.eid]) {
			t.Fatalf("%s: HTTP %d, %d bytes, want the stored %d", tc.eid, w.Code, w.Body.Len(), len(e.srv.Evidence[tc.eid]))
		}
		for k, want := range map[string]string{"Content-Type": tc.ct, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
			"Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "inline",
			"Cross-Origin-Resource-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := w.Header().Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", tc.eid, k, got, want)
			}
		}
	}

	for name, tc := range map[string]struct {
		path   string
		status int
	}{
		"another verification's evidence":       {evidenceURL(admintest.ReviewID, admintest.EvidenceDone), 404},
		"evidence under the wrong verification": {evidenceURL(admintest.DoneID, admintest.EvidenceDoc), 404},
		"unknown evidence":                      {evidenceURL(admintest.ReviewID, "ev-nope"), 404},
		"not an image":                          {evidenceURL(admintest.ReviewID, admintest.EvidenceChipData), 415},
	} {
		w := e.get(e.reviewer, tc.path)
		if w.Code != tc.status || strings.HasPrefix(w.Header().Get("Content-Type"), "image/") {
			t.Errorf("%s: HTTP %d %s, want %d and an HTML page", name, w.Code, w.Header().Get("Content-Type"), tc.status)
		}
		if bytes.Contains(w.Body.Bytes(), e.srv.Evidence[admintest.EvidenceChipData]) {
			t.Errorf("%s: the refusal carries the evidence", name)
		}
	}

	// Without a session: sent to sign in, back to the image afterwards.
	w := e.get("", evidenceURL(admintest.ReviewID, admintest.EvidenceDoc))
	if w.Code != http.StatusFound || !strings.Contains(w.Header().Get("Location"), "/.vigil/login?rd=") || w.Body.Len() > 0 && bytes.Contains(w.Body.Bytes(), e.srv.Evidence[admintest.EvidenceDoc]) {
		t.Errorf("no session: HTTP %d to %q", w.Code, w.Header().Get("Location"))
	}

	// Two images seen: two audit records naming alice, the verification
	// and the evidence, and nothing of the person.
	if err := e.srv.Audit.Flush(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(e.srv.AuditPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), `"decision":"evidence-viewed"`); n != 2 {
		t.Errorf("%d evidence-viewed records, want 2:\n%s", n, log)
	}
	for _, want := range []string{`"kind":"review"`, `"actor":"console:alice@example.com"`, `"verification":"` + admintest.ReviewID + `"`,
		`"evidence:` + admintest.EvidenceDoc + `"`, `"kind:selfie"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("audit log lacks %s:\n%s", want, log)
		}
	}
	for _, personal := range []string{"Anna", "ERIKSSON", "L898902C3", "1974-08-12", "bob@example.com", "JFIF", "PNG"} {
		if strings.Contains(string(log), personal) {
			t.Errorf("audit log has %q:\n%s", personal, log)
		}
	}
}

func TestConsoleEvidenceNotMember(t *testing.T) {
	e := newEvidenceConsole(t, "reviewers")
	page := e.get(e.onlyConsole, console.BasePath+"/reviews/"+admintest.ReviewID)
	body := page.Body.String()
	if page.Code != 200 || strings.Contains(body, "<img") || strings.Contains(body, "/evidence/") ||
		!strings.Contains(body, "members of the group <code>reviewers</code>; you see the evidence as text only") {
		t.Fatalf("review page for an admin outside the evidence group: HTTP %d\n%s", page.Code, body)
	}
	w := e.get(e.onlyConsole, evidenceURL(admintest.ReviewID, admintest.EvidenceDoc))
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `group &#34;reviewers&#34;`) ||
		bytes.Contains(w.Body.Bytes(), e.srv.Evidence[admintest.EvidenceDoc]) {
		t.Errorf("image for an admin outside the evidence group: HTTP %d\n%s", w.Code, w.Body)
	}
	// A refused image is not a view.
	_ = e.srv.Audit.Flush()
	if log, _ := os.ReadFile(e.srv.AuditPath); bytes.Contains(log, []byte("evidence-viewed")) {
		t.Errorf("a refused image was audited as viewed:\n%s", log)
	}

	// No evidence group configured: no one sees images, and the page says why.
	off := newEvidenceConsole(t, "")
	body = off.get(off.reviewer, console.BasePath+"/reviews/"+admintest.ReviewID).Body.String()
	if strings.Contains(body, "<img") || !strings.Contains(body, "admin.console.evidence_group</code> is not set") {
		t.Errorf("review page without an evidence group:\n%s", body)
	}
	if w := off.get(off.reviewer, evidenceURL(admintest.ReviewID, admintest.EvidenceDoc)); w.Code != http.StatusForbidden {
		t.Errorf("image without an evidence group: HTTP %d", w.Code)
	}
}
