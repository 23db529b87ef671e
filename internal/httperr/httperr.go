// Package httperr turns handler errors into responses. An Error carries a
// status, a stable code and text that is safe to show; everything else
// (the wrapped error) goes only to the log, tied to the page by the request
// id. It must never write internal detail to the client.
package httperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
)

// Error is an error with a public face.
type Error struct {
	Status  int      // HTTP status
	Code    string   // stable machine-readable code, e.g. "access-denied"
	Title   string   // the page heading; empty means the renderer picks one
	Public  string   // one sentence a user can act on
	Reasons []string // named reasons safe to show (policy reasons)
	Links   []Link   // next steps offered on the HTML page
	Err     error    // internal cause; logged, never shown
}

// Link is a next step for the user, such as signing in as someone else.
type Link struct {
	Label, URL string
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Code, e.Err)
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// With returns a copy of e caused by err: a shared error value keeps its
// public face, and each use logs its own cause.
func (e *Error) With(err error) *Error {
	c := *e
	c.Err = err
	return &c
}

// New builds an Error.
func New(status int, code, public string, cause error) *Error {
	return &Error{Status: status, Code: code, Public: public, Err: cause}
}

// Handler is an http.Handler that returns an error instead of writing one.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Writer renders errors; Logger receives the internal detail.
type Writer struct {
	Logger    *slog.Logger
	RequestID func(r *http.Request) string
}

// Wrap adapts h, rendering any error it returns.
func (wr Writer) Wrap(h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			wr.Write(w, r, err)
		}
	})
}

// Write renders err as JSON for API clients and HTML for browsers. An error
// that is not an *Error becomes a 500 with no detail shown.
func (wr Writer) Write(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Status: http.StatusInternalServerError, Code: "internal-error",
			Public: "Something went wrong on our side. Try again in a moment.", Err: err}
	}
	id := ""
	if wr.RequestID != nil {
		id = wr.RequestID(r)
	}
	if wr.Logger != nil && (e.Err != nil || e.Status >= 500) {
		level := slog.LevelWarn
		if e.Status >= 500 {
			level = slog.LevelError
		}
		wr.Logger.LogAttrs(r.Context(), level, "request failed",
			slog.String("request_id", id), slog.Int("status", e.Status),
			slog.String("code", e.Code), slog.Any("err", e.Err))
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if WantsJSON(r) {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		json.NewEncoder(w).Encode(struct {
			Error       string   `json:"error"`
			Description string   `json:"error_description"`
			Reasons     []string `json:"reasons,omitempty"`
			RequestID   string   `json:"request_id,omitempty"`
		}{e.Code, e.Public, e.Reasons, id})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(e.Status)
	page.Execute(w, map[string]any{
		"Status": e.Status, "StatusText": http.StatusText(e.Status), "Title": e.Title, "Code": e.Code,
		"Public": e.Public, "Reasons": e.Reasons, "RequestID": id, "Links": e.Links,
	})
}

// WantsJSON reports whether the client is a program rather than a browser:
// it asks for JSON, sends a bearer token, or marks itself as XHR.
func WantsJSON(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") ||
		r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

var page = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Status}} {{.StatusText}} · Vigil</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}code{background:#f1f3f7;padding:.1rem .3rem;border-radius:4px}
.muted{color:#667;font-size:.9rem}ul{padding-left:1.2rem}</style></head>
<body><h1>{{or .Title .StatusText}}</h1><p>{{.Public}}</p>
{{if .Reasons}}<p>Why:</p><ul>{{range .Reasons}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{range .Links}}<p><a href="{{.URL}}">{{.Label}}</a></p>{{end}}
<p class="muted">Error <code>{{.Code}}</code>{{if .RequestID}} · request <code>{{.RequestID}}</code> (quote it when asking for help){{end}}</p>
</body></html>
`))
