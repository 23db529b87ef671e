package authn

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed templates/pages.html
var pagesHTML string

//go:embed templates/authn.css
var styleCSS []byte

var pages = template.Must(template.New("pages").Parse(pagesHTML))

// contentSecurityPolicy allows our stylesheet and nothing else: no script
// at all, no framing, no form posts elsewhere.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// setPageHeaders hardens every response. no-referrer matters most: the
// callback URL carries the code and state.
func setPageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
}

func serveStyle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(styleCSS)
}

type providerLink struct {
	Title string
	URL   string
}

func (h *Handler) renderLogin(w http.ResponseWriter, ps []*Provider, rd string) error {
	links := make([]providerLink, len(ps))
	for i, p := range ps {
		links[i] = providerLink{Title: p.title, URL: startURL(p.name, rd)}
	}
	return h.render(w, http.StatusOK, "login", map[string]any{"Providers": links})
}

func (h *Handler) renderSignedOut(w http.ResponseWriter, rd string) error {
	return h.render(w, http.StatusOK, "signedout", map[string]any{"Login": loginURL(rd)})
}

// renderError shows a refusal: the reason code, an optional provider error
// code, and a way to start over. Nothing else from the failure is shown.
func (h *Handler) renderError(w http.ResponseWriter, f *failure) {
	retry := loginURL("")
	if rd, err := h.SafeReturn(f.Return); err == nil {
		retry = loginURL(rd)
	}
	signOut := f.Reason == ReasonLogoutFailed || f.Reason == ReasonLogoutCrossOrigin
	if signOut {
		retry = PathLogout // the confirmation page
	}
	data := map[string]any{"Reason": f.Reason, "Detail": f.Detail, "Retry": retry,
		"Unreachable": f.Status == http.StatusBadGateway, "SignOut": signOut,
		"Unavailable": f.Status == http.StatusServiceUnavailable, "NameMismatch": f.Reason == ReasonVerificationNameMismatch}
	if err := h.render(w, f.Status, "error", data); err != nil {
		http.Error(w, f.Reason, f.Status)
	}
}

// render executes into a buffer first so a template error never leaves a
// half-written page.
func (h *Handler) render(w http.ResponseWriter, status int, name string, data map[string]any) error {
	data["Style"] = PathStyle
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return failStatus(ReasonInternal, http.StatusInternalServerError, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}
