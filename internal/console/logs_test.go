package console_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-gw/vigil/internal/admin/admintest"
	"github.com/vigil-gw/vigil/internal/console"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/session"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestLogsHoldNoPersonalData: the audit records name the admin acting;
// the console's own log lines (decisions, revocations, refusals) name no
// one.
func TestLogsHoldNoPersonalData(t *testing.T) {
	var logs lockedBuffer
	srv := admintest.New(t)
	h, err := console.New(console.Options{Service: srv.Service, Sessions: srv.Sessions, Reviews: srv.Reviews,
		Group: "admins", CSRFKey: []byte("console-logs-test-csrf-key-0123456789abcd"), PublicURL: "https://vigil.example.com",
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
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
	alice, carol := login("alice@example.com", "admins"), login("carol@example.com", "staff")
	do := func(method, path, cookie string, form url.Values) *httptest.ResponseRecorder {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, "https://vigil.example.com"+path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		} else {
			r = httptest.NewRequest(method, "https://vigil.example.com"+path, nil)
		}
		r.AddCookie(&http.Cookie{Name: srv.Sessions.CookieName(), Value: cookie})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	page := do("GET", console.BasePath+"/reviews/"+admintest.ReviewID, alice, nil)
	m := csrfField.FindStringSubmatch(page.Body.String())
	if page.Code != http.StatusOK || m == nil {
		t.Fatalf("review page: HTTP %d, no form token\n%s", page.Code, page.Body)
	}
	tok := m[1]
	for _, tc := range []struct {
		name, path, cookie string
		form               url.Values
		status             int
	}{
		{"not an admin", "/sessions/revoke", carol, url.Values{"csrf": {tok}}, http.StatusForbidden},
		{"approve", "/reviews/" + admintest.ReviewID + "/approve", alice, url.Values{"csrf": {tok}, "note": {"fine"}}, http.StatusSeeOther},
		{"revoke", "/sessions/revoke", alice, url.Values{"csrf": {tok}, "scope": {"user"}, "key": {"carol@example.com"}, "reason": {"left"}}, http.StatusSeeOther},
		{"no token", "/sessions/revoke", alice, url.Values{"scope": {"user"}, "key": {"carol@example.com"}, "reason": {"left"}}, http.StatusForbidden},
	} {
		if w := do("POST", console.BasePath+tc.path, tc.cookie, tc.form); w.Code != tc.status {
			t.Errorf("%s: HTTP %d, want %d\n%s", tc.name, w.Code, tc.status, w.Body)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "verification approved") || !strings.Contains(out, "sessions revoked") || !strings.Contains(out, "code=csrf") || !strings.Contains(out, "code=not-an-admin") {
		t.Fatalf("expected log lines missing:\n%s", out)
	}
	for _, personal := range []string{"alice@", "carol@", "bob@", "Anna", "ERIKSSON"} {
		if strings.Contains(out, personal) {
			t.Errorf("log contains %q:\n%s", personal, out)
		}
	}
}
