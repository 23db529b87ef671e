package demoapp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// pageCSS is pinned by hash in the CSP: no other style and no script run.
const pageCSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f8fafc;color:#0f172a}
header{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.25rem;background:#0f172a;color:#fff}
header a{color:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem}
section{background:#fff;border-radius:.6rem;box-shadow:0 1px 3px rgba(0,0,0,.1);padding:1rem 1.25rem;margin:1rem 0;overflow-x:auto}
h1{font-size:1.2rem;margin:0}
h2{font-size:1.05rem;margin:0 0 .5rem}
.ok{color:#166534;font-weight:700}.bad{color:#991b1b;font-weight:700}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e2e8f0}
th{width:12rem;white-space:nowrap}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-all;margin:0}
.warn{background:#fef2f2}
`

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header><h1>{{.Title}}</h1><a href="{{.LogoutPath}}">Sign out</a></header>
<main>
<section>
<h2>Who Vigil says you are</h2>
{{if .ID.Verified}}<p class="ok">Verified: yes. The assertion's signature, issuer, audience and lifetime check out.</p>
{{else}}<p class="bad">Verified: no</p><p>{{.ID.Error}}</p>{{end}}
</section>
{{if .Claims}}<section>
<h2>Claims</h2>
<table>{{range .Claims}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table>
</section>{{end}}
{{if .ID.Token}}<section>
<h2>Raw assertion ({{if .ID.Verified}}verified{{else}}NOT verified{{end}})</h2>
<pre>{{.ID.Token}}</pre>
</section>{{end}}
<section>
<h2>Request headers received</h2>
{{if .ID.Unexpected}}<p class="bad">Unexpected identity headers reached the app: {{range .ID.Unexpected}}<code>{{.}}</code> {{end}}</p>
{{else}}<p>No client-sent <code>X-Vigil-*</code> header got through: the gateway strips them and sets only the signed assertion.</p>{{end}}
<table>{{range .Headers}}<tr{{if .Warn}} class="warn"{{end}}><th>{{.Name}}</th><td><code>{{.Value}}</code></td></tr>{{end}}</table>
</section>
<section>
<h2>More</h2>
<p><a href="stream">/stream</a> (lines flushed one by one) &middot; <a href="api/whoami">/api/whoami</a> (JSON)</p>
</section>
</main>
</body>
</html>
`

type row struct {
	Name, Value string
	Warn        bool
}

type pageData struct {
	Title      string
	LogoutPath string
	ID         identity
	Claims     []row
	Headers    []row
	CSS        template.CSS
}

func claimRows(c *vigilauth.Claims) []row {
	if c == nil {
		return nil
	}
	return []row{
		{Name: "sub", Value: c.Subject},
		{Name: "email", Value: c.Email},
		{Name: "name", Value: c.Name},
		{Name: "groups", Value: strings.Join(c.Groups, ", ")},
		{Name: "amr", Value: strings.Join(c.AMR, ", ")},
		{Name: "acr", Value: c.ACR},
		{Name: "auth_time", Value: when(c.AuthTime)},
		{Name: "idp", Value: c.IdP},
		{Name: "idp_sub", Value: c.IdPSubject},
		{Name: "sid", Value: c.SessionID},
		{Name: "exp", Value: when(c.Expiry)},
		{Name: "iss", Value: c.Issuer},
		{Name: "aud", Value: strings.Join(c.Audience, ", ")},
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// redacted headers carry credentials: show that they came, not what.
var redacted = []string{"Authorization", "Cookie", "Proxy-Authorization"}

// headerRows lists the request headers sorted by name, the assertion
// shortened (it is shown in full above), credentials redacted and stray
// X-Vigil-* headers flagged.
func headerRows(r *http.Request, assertion string, unexpected []string) []row {
	names := make([]string, 0, len(r.Header)+1)
	for name := range r.Header {
		names = append(names, name)
	}
	slices.Sort(names)
	rows := []row{{Name: "Host", Value: r.Host}}
	for _, name := range names {
		value := strings.Join(r.Header.Values(name), " | ")
		switch {
		case slices.Contains(redacted, name):
			value = fmt.Sprintf("(redacted, %d bytes)", len(value))
		case strings.EqualFold(name, assertion) && len(value) > 40:
			value = value[:40] + "..."
		}
		rows = append(rows, row{Name: name, Value: value, Warn: slices.Contains(unexpected, name)})
	}
	return rows
}

type pages struct {
	tmpl *template.Template
	csp  string
}

func newPages() (*pages, error) {
	tmpl, err := template.New("page").Parse(pageHTML)
	if err != nil {
		return nil, fmt.Errorf("demoapp: parse page: %w", err)
	}
	sum := sha256.Sum256([]byte(pageCSS))
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	return &pages{tmpl: tmpl, csp: csp}, nil
}

func (p *pages) render(w http.ResponseWriter, d pageData) error {
	d.CSS = template.CSS(pageCSS)
	var buf bytes.Buffer
	if err := p.tmpl.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}
