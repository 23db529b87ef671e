package review

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
)

//go:embed web/page.html web/static/style.css
var webFS embed.FS

// cspFor is the pages' policy: no script at all, this origin's stylesheet,
// forms posting only here, never framed. Only the detail page may load
// images, and only same-origin ones (the evidence endpoint is the only
// image this app serves).
func cspFor(images bool) string {
	img := "'none'"
	if images {
		img = "'self'"
	}
	return strings.Join([]string{
		"default-src 'none'",
		"style-src 'self'",
		"img-src " + img,
		"form-action 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// evidenceCSP applies when an evidence image is opened on its own.
const evidenceCSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"

// setSecurityHeaders is every answer's baseline, set before routing so
// that redirects and refusals carry it too; the detail page widens the CSP
// to images, an evidence image narrows it, the stylesheet may be cached.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", cspFor(false))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

type pages struct {
	tmpl *template.Template
	css  []byte
	base string
}

func newPages(base string) (*pages, error) {
	t, err := template.New("page.html").Funcs(template.FuncMap{
		"date":  func(t time.Time) string { return fmtTime(t) },
		"short": shortRung,
		"deref": func(b *bool) bool { return b != nil && *b },
	}).ParseFS(webFS, "web/page.html")
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	css, err := webFS.ReadFile("web/static/style.css")
	if err != nil {
		return nil, fmt.Errorf("read stylesheet: %w", err)
	}
	return &pages{tmpl: t, css: css, base: base}, nil
}

// pageData feeds web/page.html; Page selects the body.
type pageData struct {
	Page     string
	Title    string
	Base     string
	Reviewer string
	// Error pages.
	Status int
	Code   string
	Msg    string
	// Queue.
	Queue []queueRow
	Limit int
	Full  bool
	// Detail and the decision pages.
	Detail *detailView
}

// render writes a complete page or nothing: a template error (a bug) gives
// a bare 500 rather than half a page.
func (p *pages) render(w http.ResponseWriter, status int, d pageData, images bool) error {
	d.Base = p.base
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "page.html", d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("render %s: %w", d.Page, err)
	}
	h := w.Header()
	if images {
		h.Set("Content-Security-Policy", cspFor(true))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (p *pages) renderError(w http.ResponseWriter, e *httperr.Error) {
	_ = p.render(w, e.Status, pageData{Page: "error", Title: e.Title, Status: e.Status, Code: e.Code, Msg: e.Public}, false)
}

func (p *pages) static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(p.css)
	})
}

// fmtTime shows times in UTC, to the minute; zero is a dash.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// fmtAge is a short human duration: "45s", "12m", "3h 05m", "2d 4h".
func fmtAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// shortRung drops the ladder's URN prefix: "document-review".
func shortRung(acr string) string { return strings.TrimPrefix(acr, "urn:vigil:idv:") }
