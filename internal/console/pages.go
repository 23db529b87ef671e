package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
)

//go:embed web/*.html web/static/style.css
var webFS embed.FS

// csp: no script at all, this origin's stylesheet and images, forms
// posting only here, never framed, no <base>.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

type pages struct {
	tmpl *template.Template
	css  []byte
}

func newPages() (*pages, error) {
	t, err := template.New("page.html").Funcs(template.FuncMap{
		"date": fmtTime,
		"user": userPath,
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"sessionTable": newSessionTable,
		"review":       reviewPath,
		"evidence":     evidencePath,
		"list":         func(s ...string) []string { return s },
		"f3":           func(f float32) string { return strconv.FormatFloat(float64(f), 'f', 3, 32) },
	}).ParseFS(webFS, "web/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse pages: %w", err)
	}
	css, err := webFS.ReadFile("web/static/style.css")
	if err != nil {
		return nil, fmt.Errorf("read stylesheet: %w", err)
	}
	return &pages{tmpl: t, css: css}, nil
}

// pageData feeds web/page.html; Page selects the body.
type pageData struct {
	Page   string
	Title  string
	Base   string
	Admin  *adminUser
	Notice string
	// Error pages.
	Status int
	Code   string
	Msg    string
	// Overview.
	Overview *overview
	// Sessions and the user page.
	Sessions []admin.SessionView
	Filter   sessionFilter
	Shown    int
	Total    int
	// Users list.
	Users []admin.UserSummary
	Query string
	// User page.
	UserView *userView
	// Review queue and one review.
	Reviews *reviewList
	Review  *admin.ReviewView
	Images  *reviewImages
	// Apps and policies.
	Apps []appView
	// Policy tester.
	Policy *policyForm
	// Audit search.
	Audit *auditPage
	// Shared Signals streams.
	Subscribers []admin.SubscriberView
}

// sessionTable feeds the "session-table" template: the rows and what
// each row's revoke form needs.
type sessionTable struct {
	Base       string
	CSRF       string
	ReturnUser string // the user page to come back to after a revocation
	Rows       []admin.SessionView
}

func newSessionTable(d pageData, rows []admin.SessionView, returnUser string) sessionTable {
	t := sessionTable{Base: d.Base, ReturnUser: returnUser, Rows: rows}
	if d.Admin != nil {
		t.CSRF = d.Admin.CSRF
	}
	return t
}

// render writes a complete page or nothing: a template error (a bug) gives
// a bare 500 rather than half a page.
func (p *pages) render(w http.ResponseWriter, status int, d pageData) error {
	d.Base = BasePath
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, "page.html", d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("render %s: %w", d.Page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (p *pages) static() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "private, max-age=3600")
		_, _ = w.Write(p.css)
	})
}

// fmtTime shows times in UTC, to the second; zero is a dash.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
