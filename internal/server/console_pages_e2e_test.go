package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/server"
	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/internal/store/sqlite"
)

// pagesSteps is a verification finished up to review: document read,
// selfie taken, face match borderline (the verifier's steps JSON).
const pagesSteps = `{
 "document": {"evidence_id": "ev-front", "checked_at": "2026-03-01T09:55:00Z", "corrected": true, "fields": {
   "code": "P", "issuing_state": "UTO", "number": "X1234567Q", "surname": "LOVELACE",
   "given_names": ["ADA"], "nationality": "UTO", "birth_date": "1985-12-10",
   "expiry": "2099-01-31", "sex": "F"}},
 "selfie": {"evidence_id": "ev-selfie", "at": "2026-03-01T09:58:00Z"},
 "face": {"reference": "document-front", "distance": 0.512, "threshold": 0.5, "margin": 0.05, "decision": "borderline"},
 "finished_at": "2026-03-01T09:58:00Z"
}`

// startConsolePages is the console with the built-in verifier on (so a
// review queue), audit records in a file, and two verifications waiting
// for a person, stored in the gateway's own database.
func startConsolePages(t *testing.T) (e *demoEnv, waiting [2]string) {
	t.Helper()
	e, gwL := newDemoEnv(t, "demo-client-secret-for-console-pages", nil)
	dir := t.TempDir()
	cfg := e.config(allowGroup("sales"))
	cfg.Admin.Console.Group = "admins"
	cfg.Log.Audit = filepath.Join(dir, "audit.log")
	cfg.IDV = &config.IDV{Issuer: e.public + "/idv", DevMailbox: true, Clients: []config.IDVClient{{
		ClientID: "self", ClientSecret: config.Secret{Value: "idv-client-secret-0123456789"},
		RedirectURIs: []string{e.public + "/.vigil/callback"}}}}
	cfg.SetDefaults()
	// Not serve(): its audit writer would replace the file the console searches.
	var stop func() error
	e.srv, stop = startServer(t, gwL, cfg, server.Options{Logger: slog.New(slog.DiscardHandler), DevMailbox: io.Discard})
	t.Cleanup(func() { stop() })

	db, err := sqlite.Open(t.Context(), e.dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now()
	waiting = [2]string{"vr-console-approve-01", "vr-console-reject-02"}
	for i, id := range waiting {
		rec := store.Verification{ID: id, Rung: "document-selfie", Status: store.VerificationReview,
			ClaimedEmail: "ada" + strconv.Itoa(i) + "@example.com", ClaimedName: "Ada Lovelace",
			Reasons: []string{"manual-review-required"}, Steps: []byte(pagesSteps),
			CreatedAt: now.Add(time.Duration(i-2) * time.Hour), UpdatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
		if err := db.CreateVerification(t.Context(), &rec); err != nil {
			t.Fatal(err)
		}
	}
	return e, waiting
}

func TestConsolePages(t *testing.T) {
	e, waiting := startConsolePages(t)
	base := e.public + "/.vigil/console"
	sameSite := map[string]string{"Origin": e.public, "Sec-Fetch-Site": "same-origin"}

	bob := browser()
	readBody(t, signInDemo(t, bob, e.public+"/", "bob"))
	if code, _ := getEcho(t, bob, e.public+"/", nil); code != http.StatusOK {
		t.Fatalf("bob's app request: HTTP %d", code)
	}
	// Bob is no admin: none of the new pages is his.
	for _, p := range []string{"/reviews", "/reviews/" + waiting[0], "/policy", "/audit", "/streams"} {
		resp := get(t, bob, base+p, "text/html", nil)
		if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("bob at %s: HTTP %d, want 403", p, resp.StatusCode)
		}
	}
	alice := browser()
	readBody(t, signInDemo(t, alice, base+"/", "alice"))
	page := func(p string, want int) string {
		t.Helper()
		resp := get(t, alice, base+p, "text/html", nil)
		body := readBody(t, resp)
		if resp.StatusCode != want {
			t.Fatalf("%s: HTTP %d, want %d:\n%s", p, resp.StatusCode, want, body)
		}
		checkConsoleHeaders(t, p, resp.Header)
		if strings.Contains(body, "<script") {
			t.Errorf("%s has a script", p)
		}
		return body
	}
	wantIn := func(what, body string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, body)
			}
		}
	}

	// The queue, oldest first, and one verification as text: no document
	// number, no date of birth.
	body := page("/reviews", http.StatusOK)
	wantIn("review queue", body, "2 verification(s) waiting", "ada0@example.com", "ada1@example.com", "manual-review-required")
	if strings.Index(body, waiting[0]) > strings.Index(body, waiting[1]) {
		t.Error("review queue not oldest first")
	}
	body = page("/reviews/"+waiting[0], http.StatusOK)
	wantIn("review", body, "borderline", "0.512", "passport", "UTO", "2099-01-31", "matches the claimed name",
		"read after correcting OCR errors", `action="/.vigil/console/reviews/`+waiting[0]+`/approve"`,
		`action="/.vigil/console/reviews/`+waiting[0]+`/reject"`, `name="note"`, `name="reason"`)
	for _, secret := range []string{"X1234567Q", "1985-12-10", "<img"} {
		if strings.Contains(body, secret) {
			t.Errorf("review page shows %q", secret)
		}
	}
	page("/reviews/no-such-verification", http.StatusNotFound)
	csrf := csrfRE.FindStringSubmatch(body)[1]

	// Refused without the token; a reject without a reason is a 400 and
	// leaves it waiting.
	approveURL, rejectURL := base+"/reviews/"+waiting[0]+"/approve", base+"/reviews/"+waiting[1]+"/reject"
	for name, tc := range map[string]struct {
		url  string
		form url.Values
		hdr  map[string]string
		want int
	}{
		"approve without token":     {approveURL, url.Values{"note": {"x"}}, sameSite, http.StatusForbidden},
		"reject with wrong token":   {rejectURL, url.Values{"csrf": {strings.Repeat("A", len(csrf))}, "reason": {"x"}}, sameSite, http.StatusForbidden},
		"approve from another site": {approveURL, url.Values{"csrf": {csrf}}, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		"reject without reason":     {rejectURL, url.Values{"csrf": {csrf}, "reason": {"  "}}, sameSite, http.StatusBadRequest},
		"approve, two-line note":    {approveURL, url.Values{"csrf": {csrf}, "note": {"a\nb"}}, sameSite, http.StatusBadRequest},
	} {
		resp := postConsole(t, alice, tc.url, tc.form, tc.hdr)
		if body := readBody(t, resp); resp.StatusCode != tc.want {
			t.Errorf("%s: HTTP %d, want %d:\n%s", name, resp.StatusCode, tc.want, body)
		}
	}
	wantIn("queue after refusals", page("/reviews", http.StatusOK), "2 verification(s) waiting")

	// Approve one (note optional), reject the other: both leave the queue
	// and show who decided.
	resp := postConsole(t, alice, approveURL, url.Values{"csrf": {csrf}}, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/.vigil/console/reviews?decided=approved" {
		t.Fatalf("approve: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = postConsole(t, alice, rejectURL, url.Values{"csrf": {csrf}, "reason": {"portrait does not match"}}, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/.vigil/console/reviews?decided=rejected" {
		t.Fatalf("reject: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	body = page("/reviews?decided=rejected", http.StatusOK)
	wantIn("queue after deciding", body, "0 verification(s) waiting", "Rejected: the person is told the reason.")
	if strings.Contains(body, waiting[0]) || strings.Contains(body, waiting[1]) {
		t.Errorf("decided verifications still queued:\n%s", body)
	}
	body = page("/reviews/"+waiting[0], http.StatusOK)
	wantIn("approved review", body, `<span class="state approved">approved</span>`, "console:alice@example.com")
	if strings.Contains(body, `name="note"`) {
		t.Error("a decided verification still has the approve form")
	}
	wantIn("rejected review", page("/reviews/"+waiting[1], http.StatusOK), "rejected", "portrait does not match")
	resp = postConsole(t, alice, approveURL, url.Values{"csrf": {csrf}}, sameSite)
	if readBody(t, resp); resp.StatusCode != http.StatusConflict {
		t.Errorf("approving twice: HTTP %d, want 409", resp.StatusCode)
	}

	// Apps and policies as running: the echo app and its rule, written as
	// in the file.
	body = page("/apps", http.StatusOK)
	wantIn("apps page", body, `<h2 id="app-echo">echo</h2>`, "allow-sales", "group: sales", "every provider")

	// The policy tester: the app list from the running configuration; bob
	// (sales) is allowed by the rule; anonymous is not.
	body = page("/policy", http.StatusOK)
	wantIn("policy form", body, `<option value="echo"`)
	body = page("/policy?app=echo&user=bob%40example.com&ip=192.0.2.1&risk=", http.StatusOK)
	wantIn("bob's decision", body, `<span class="decision allow">allow</span>`, "<code>allow-sales</code>")
	body = page("/policy?app=echo&user=&ip=&risk=high", http.StatusOK)
	wantIn("anonymous decision", body, `<span class="decision deny">deny</span>`, "anonymous")
	wantIn("bad IP", page("/policy?app=echo&ip=not-an-ip", http.StatusBadRequest), "not an IP address", `value="not-an-ip"`)
	wantIn("no such app", page("/policy?app=nope", http.StatusNotFound), "nope")

	// The audit log: bob's allowed request, newest first; filters narrow.
	body = page("/audit?user=bob%40example.com&decision=allow&since=1h", http.StatusOK)
	wantIn("audit for bob", body, ">bob@example.com</a>", "<code>allow</code>", "echo")
	if strings.Contains(body, "alice@example.com</a>") {
		t.Errorf("audit filtered to bob shows alice:\n%s", body)
	}
	body = page("/audit?decision=no-such-decision", http.StatusOK)
	wantIn("empty audit", body, "No records.")
	page("/audit?since=yesterday", http.StatusBadRequest)

	// Streams: no subscriber configured, said so.
	wantIn("streams", page("/streams", http.StatusOK), "No Shared Signals subscribers are configured.")
}

// TestConsolePagesOff: without a built-in verifier or an audit file the
// pages say why there is nothing, and the user page says not verified.
func TestConsolePagesOff(t *testing.T) {
	e := startConsole(t)
	base := e.public + "/.vigil/console"
	alice := browser()
	readBody(t, signInDemo(t, alice, base+"/", "alice"))
	for p, want := range map[string]struct {
		code int
		text string
	}{
		"/reviews":        {http.StatusOK, "No built-in verifier runs in this process"},
		"/reviews/vr-any": {http.StatusNotFound, "No built-in verifier runs in this process"},
		"/audit":          {http.StatusOK, "log.audit is stdout or off"},
	} {
		resp := get(t, alice, base+p, "text/html", nil)
		if body := readBody(t, resp); resp.StatusCode != want.code || !strings.Contains(body, want.text) {
			t.Errorf("%s: HTTP %d, want %d with %q:\n%s", p, resp.StatusCode, want.code, want.text, body)
		}
	}
	resp := get(t, alice, base+"/users?who=alice%40example.com", "text/html", nil)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Not verified") || !regexp.MustCompile(`<dt>Groups</dt><dd>[^<]*admins`).MatchString(body) {
		t.Errorf("alice's page: HTTP %d:\n%s", resp.StatusCode, body)
	}
}
