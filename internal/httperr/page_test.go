package httperr

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPage(t *testing.T) {
	known := &Error{Status: 404, Code: "not-found", Title: "Not found", Public: "No such page."}
	if got := Page(fmt.Errorf("wrapped: %w", known)); got != known {
		t.Errorf("Page of a wrapped *Error = %+v, want it unwrapped", got)
	}
	secret := errors.New("password=hunter2")
	got := Page(secret)
	if got.Status != 500 || got.Code != "internal" || got.Err != secret || strings.Contains(got.Public+got.Title, "hunter2") {
		t.Errorf("Page of a plain error = %+v", got)
	}
}

func TestLogPage(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want []string
	}{
		{&Error{Status: 403, Code: "csrf"}, []string{"level=INFO", "route=/x", "status=403", "code=csrf"}},
		{&Error{Status: 503, Code: "down", Err: errors.New("dial")}, []string{"level=ERROR", "status=503", "error=dial"}},
	} {
		var buf bytes.Buffer
		r := httptest.NewRequest("GET", "/x", nil)
		r.Pattern = "/x"
		LogPage(slog.New(slog.NewTextHandler(&buf, nil)), r, "ui: request refused", tc.e)
		for _, s := range tc.want {
			if !strings.Contains(buf.String(), s) {
				t.Errorf("log lacks %q: %s", s, &buf)
			}
		}
		if tc.e.Err == nil && strings.Contains(buf.String(), "error=") {
			t.Errorf("log names a cause it does not have: %s", &buf)
		}
	}
}
