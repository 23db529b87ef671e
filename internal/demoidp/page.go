package demoidp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// pageCSS is the only styling; its hash goes in the CSP so no other inline
// style (and no script at all) can run on the page.
const pageCSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
.banner{background:#b45309;color:#fff;text-align:center;padding:.5rem 1rem;font-weight:600}
main{max-width:26rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.5rem}
h1{font-size:1.35rem;margin:0 0 .25rem}
p.sub{margin:0 0 1.25rem;color:#4b5563}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.65rem .75rem;font-size:1rem;border:1px solid #d1d5db;border-radius:.5rem}
button{margin-top:1.25rem;width:100%;padding:.75rem;font-size:1rem;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:.5rem;cursor:pointer}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:.5rem;padding:.6rem .75rem;margin-bottom:.5rem}
.users{margin-top:1.25rem;font-size:.9rem;color:#4b5563}
code{background:#f3f4f6;padding:0 .25rem;border-radius:.25rem}
`

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} - Demo identity provider</title>
<style>{{.CSS}}</style>
</head>
<body>
<div class="banner" role="note">Demo identity provider - for testing only</div>
<main><div class="card">
<h1>{{.Title}}</h1>
{{with .Form}}
<p class="sub">to continue to <strong>{{.ClientID}}</strong></p>
{{with .Error}}<div class="error" role="alert">{{.}}</div>{{end}}
<form method="post" action="{{.Action}}" autocomplete="off">
<input type="hidden" name="authRequestID" value="{{.AuthRequestID}}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{{.Username}}" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" required>
<button type="submit">Sign in</button>
</form>
{{if .Users}}<p class="users">Demo users: {{range $i, $u := .Users}}{{if $i}}, {{end}}<code>{{$u}}</code>{{end}}. Passwords are printed by <code>vigil quickstart</code>.</p>{{end}}
{{else}}
<p>{{.Message}}</p>
{{end}}
</div></main>
</body>
</html>
`

// pageData feeds pageHTML. Form is set for the login form, Message for
// every other page.
type pageData struct {
	Title   string
	Message string
	Form    *formData
	CSS     template.CSS
}

type formData struct {
	Action        string
	AuthRequestID string
	ClientID      string
	Username      string
	Error         string
	Users         []string
}

// pages renders pageHTML with its security headers.
type pages struct {
	tmpl *template.Template
	csp  string
}

func newPages() (*pages, error) {
	tmpl, err := template.New("page").Parse(pageHTML)
	if err != nil {
		return nil, fmt.Errorf("parse login page: %w", err)
	}
	sum := sha256.Sum256([]byte(pageCSS))
	// No form-action: after the login POST the browser follows redirects to
	// the relying party, which Chrome would check against form-action.
	csp := strings.Join([]string{
		"default-src 'none'",
		"style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
	return &pages{tmpl: tmpl, csp: csp}, nil
}

// render writes the page, or a plain 500 when the template fails (which
// only a programming error can cause).
func (p *pages) render(w http.ResponseWriter, status int, d pageData) error {
	d.CSS = template.CSS(pageCSS)
	var buf bytes.Buffer
	if err := p.tmpl.Execute(&buf, d); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return fmt.Errorf("render page: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
