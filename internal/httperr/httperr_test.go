package httperr

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.5:5432: password=hunter2")
	cases := []struct {
		name       string
		accept     string
		err        error
		wantStatus int
		wantType   string
		want       []string
	}{
		{"browser gets a page", "text/html", &Error{Status: 403, Code: "access-denied", Public: "No entry.",
			Reasons: []string{"denied-by:<x>"}, Links: []Link{{"Sign out", "/.vigil/logout"}}, Err: secret},
			403, "text/html", []string{"No entry.", "denied-by:&lt;x&gt;", `href="/.vigil/logout"`, "req-1"}},
		{"program gets JSON", "application/json", &Error{Status: 401, Code: "unauthenticated", Public: "Sign in."},
			401, "application/json", []string{`"error":"unauthenticated"`, `"request_id":"req-1"`}},
		{"plain error is a 500 without detail", "text/html", secret, 500, "text/html", []string{"internal-error"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept", tc.accept)
			w := httptest.NewRecorder()
			Writer{RequestID: func(*http.Request) string { return "req-1" }}.Write(w, r, tc.err)
			body := w.Body.String()
			if w.Code != tc.wantStatus || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.wantType) {
				t.Fatalf("got %d %s", w.Code, w.Header().Get("Content-Type"))
			}
			for _, s := range tc.want {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			if strings.Contains(body, "hunter2") || strings.Contains(body, "10.0.0.5") {
				t.Errorf("internal detail leaked to the client:\n%s", body)
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Error("error responses must not be cached")
			}
		})
	}
}

func TestTitle(t *testing.T) {
	for _, tc := range []struct {
		title, want string
	}{{"", "<h1>Forbidden</h1>"}, {"Reviewers <only>", "<h1>Reviewers &lt;only&gt;</h1>"}} {
		r := httptest.NewRequest("GET", "/", nil)
		w := httptest.NewRecorder()
		Writer{}.Write(w, r, &Error{Status: 403, Code: "denied", Title: tc.title, Public: "No."})
		if !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("title %q: body lacks %q:\n%s", tc.title, tc.want, w.Body)
		}
	}
}

func TestWith(t *testing.T) {
	base := &Error{Status: 503, Code: "store-unavailable", Public: "Try again."}
	cause := errors.New("connection refused")
	e := base.With(cause)
	if base.Err != nil {
		t.Fatal("With changed the shared error")
	}
	if e.Code != base.Code || e.Public != base.Public || !errors.Is(e, cause) {
		t.Fatalf("With = %+v", e)
	}
	if got := e.Error(); got != "store-unavailable: connection refused" {
		t.Errorf("Error() = %q", got)
	}
}
