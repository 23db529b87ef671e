package console

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/admin"
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
	return &pageError{status: status, code: code, title: "Not done", msg: msg}
}

// reason reads a required one-line reason: it is audited and shown to the
// users whose sessions end.
func reason(r *http.Request) (string, error) {
	s := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case s == "":
		return "", &pageError{status: http.StatusBadRequest, code: "reason-required", title: "Not done",
			msg: "Say why (reason): it is recorded in the audit log and shown to the user."}
	case len(s) > 200 || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", &pageError{status: http.StatusBadRequest, code: "bad-reason", title: "Not done",
			msg: "The reason must be one line of at most 200 bytes."}
	}
	return s, nil
}

// seeOther ends a POST: the browser loads the result page with GET.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
