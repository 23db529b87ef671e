package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

func TestCSRFToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := csrfToken(key, "session-a")
	if !csrfValid(key, "session-a", tok) {
		t.Fatal("a session's own token is refused")
	}
	other := []byte("fedcba9876543210fedcba9876543210")
	for name, ok := range map[string]bool{
		"another session": csrfValid(key, "session-b", tok),
		"another key":     csrfValid(other, "session-a", tok),
		"empty":           csrfValid(key, "session-a", ""),
		"truncated":       csrfValid(key, "session-a", tok[:len(tok)-1]),
		"padded":          csrfValid(key, "session-a", tok+"="),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzCSRFValid(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	good := csrfToken(key, "s")
	f.Add(good)
	f.Add("")
	f.Add(good[:10])
	f.Fuzz(func(t *testing.T, got string) {
		if csrfValid(key, "s", got) != (got == good) {
			t.Fatalf("csrfValid(%q) disagrees with equality", got)
		}
	})
}

func TestSameOrigin(t *testing.T) {
	h := &Handler{origin: "https://vigil.example.com"}
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want bool
	}{
		{"no browser headers", nil, true},
		{"same origin", map[string]string{"Origin": "https://vigil.example.com", "Sec-Fetch-Site": "same-origin"}, true},
		{"other site", map[string]string{"Origin": "https://evil.example"}, false},
		{"plain http", map[string]string{"Origin": "http://vigil.example.com"}, false},
		{"null origin", map[string]string{"Origin": "null"}, false},
		// What Chromium sends on the console's own forms (no-referrer).
		{"null origin, same-origin fetch", map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, true},
		{"null origin, cross-site fetch", map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}, false},
		{"same-site subdomain", map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://vigil.example.com"}, false},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "https://vigil.example.com/.vigil/console/sessions/revoke", nil)
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		if got := h.sameOrigin(r); got != tc.want {
			t.Errorf("%s: sameOrigin = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTimelineStates(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cleared := now.Add(-time.Hour)
	rows := timeline([]admin.FactorView{
		{ID: "a", At: now.Add(-3 * time.Hour), ExpiresAt: now.Add(time.Hour), Points: 30},
		{ID: "b", At: now.Add(-2 * time.Hour), ExpiresAt: now.Add(time.Hour), ClearedAt: &cleared},
		{ID: "c", At: now.Add(-time.Hour), ExpiresAt: now},
	}, now)
	got := ""
	for _, r := range rows {
		got += r.ID + ":" + r.State + " "
	}
	if want := "c:expired b:cleared a:active "; got != want {
		t.Errorf("timeline %q, want %q (newest first)", got, want)
	}
}

func TestRevokedNotice(t *testing.T) {
	for q, want := range map[string]string{"revoked=1": "Revoked 1 session.", "revoked=3": "Revoked 3 sessions.", "revoked=0": "Revoked 0 sessions.",
		"revoked=-1": "", "revoked=<b>": "", "": ""} {
		v, _ := url.ParseQuery(q)
		if got := revokedNotice(v); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
}
