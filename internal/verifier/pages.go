package verifier

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

//go:embed web/page.html web/static
var webFS embed.FS

// csp allows only this origin's stylesheet and script (no inline code), the
// camera stream, and uploads to this origin. No form-action: after the last
// step the browser follows redirects to the relying party.
var csp = strings.Join([]string{
	"default-src 'none'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' blob:",
	"media-src 'self' blob: mediastream:",
	"connect-src 'self'",
	"frame-ancestors 'none'",
	"base-uri 'none'",
}, "; ")

// pageData feeds web/page.html; Page selects the body.
type pageData struct {
	Page       string
	Base       string
	Title      string
	ID         string
	Step       int
	Steps      int
	Error      string
	Reason     string
	Notice     string
	Email      string
	EmailFixed bool
	OCRText    string
	Fields     *docFields
	Message    string
	Reasons    []string
	Continue   string
	Refresh    int
}

type pages struct {
	tmpl *template.Template
	base string
}

func newPages(base string) (*pages, error) {
	t, err := template.New("page.html").Funcs(template.FuncMap{"explain": explainReason}).ParseFS(webFS, "web/page.html")
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	return &pages{tmpl: t, base: base}, nil
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "camera=(self), microphone=()")
}

// render writes the page; a template failure (a programming error) gives a
// plain 500.
func (p *pages) render(w http.ResponseWriter, status int, d pageData) error {
	d.Base = p.base
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "page.html", d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("render %s: %w", d.Page, err)
	}
	h := w.Header()
	setSecurityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// static serves the stylesheet and the camera script.
func staticHandler() http.Handler {
	fs := http.FileServerFS(webFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/web" + r.URL.Path
		fs.ServeHTTP(w, r2)
	})
}

// reasonText is what the person being verified reads for a reason code;
// the code itself stays in the page for tests and support.
var reasonText = map[string]string{
	ReasonManualReview:    "A person checks every document and selfie before approving.",
	ReasonNameNotCompared: "The reviewer compares the name on your document with your account.",
	ReasonNameMismatch:    "The name on your document differs from your account's; the reviewer will look at it.",
	ReasonDocumentExpired: "The document has expired.",
}

// explainReason turns a reason code into a sentence; a reviewer's reason
// ("code: text") is shown as written.
func explainReason(code string) string {
	if t, ok := reasonText[code]; ok {
		return t
	}
	return code
}
