package httperr

import (
	"errors"
	"log/slog"
	"net/http"
)

// Page is the error a web UI that renders its own pages (the console, the
// review page) shows for err: err's *Error, or else a 500 that shows
// nothing of err and keeps it as the cause for the log.
func Page(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Title: "Something went wrong",
		Public: "The page could not be shown. Try again in a moment.", Err: err}
}

// LogPage logs e, refused on r, with the route pattern, status, code and
// cause: at error level for a 5xx, else info (a refusal is routine).
func LogPage(l *slog.Logger, r *http.Request, msg string, e *Error) {
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	args := []any{"route", r.Pattern, "status", e.Status, "code", e.Code}
	if e.Err != nil {
		args = append(args, "error", e.Err)
	}
	l.Log(r.Context(), level, msg, args...)
}
