package console

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/httperr"
)

// serviceError shows the service's operator-facing text for the errors
// that carry it; anything else is an internal error without detail.
func serviceError(err error) error {
	status, code := 0, ""
	switch {
	case errors.Is(err, admin.ErrNotFound):
		status, code = http.StatusNotFound, "not-found"
	case errors.Is(err, admin.ErrInvalid):
		status, code = http.StatusBadRequest, "invalid-request"
	case errors.Is(err, admin.ErrConflict):
		status, code = http.StatusConflict, "conflict"
	case errors.Is(err, admin.ErrNotImage):
		status, code = http.StatusUnsupportedMediaType, "not-an-image"
	default:
		return err
	}
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return &httperr.Error{Status: status, Code: code, Title: "Not done", Public: msg}
}

// reason reads a required one-line reason: it is audited and shown to the
// users whose sessions end.
func reason(r *http.Request) (string, error) {
	s := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case s == "":
		return "", &httperr.Error{Status: http.StatusBadRequest, Code: "reason-required", Title: "Not done",
			Public: "Say why (reason): it is recorded in the audit log and shown to the user."}
	case !oneLine(s):
		return "", &httperr.Error{Status: http.StatusBadRequest, Code: "bad-reason", Title: "Not done",
			Public: "The reason must be one line of at most 200 bytes."}
	}
	return s, nil
}

// oneLine reports whether s is one line of at most 200 bytes of UTF-8, as
// a reason or note must be: it goes into audit records and before people.
func oneLine(s string) bool {
	return len(s) <= 200 && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// seeOther ends a POST: the browser loads the result page with GET.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
