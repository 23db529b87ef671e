package verifier

import (
	"github.com/vigil-gw/vigil/internal/evidence/liveness"

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
	// Liveness switches the selfie page to the prompted burst capture.
	Liveness bool
	// CaptureEnrol offers WebAuthn device binding on the email page;
	// CaptureBound makes the liveness page sign its burst.
	CaptureEnrol, CaptureBound bool
	// The chip page: the pairing token, the reader API URL, and when the
	// token expires.
	ChipToken, ChipAPI, ChipExpires string
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
	// Chip readings (internal/evidence/emrtd reasons and the chip step's).
	"mrz-mismatch":             "The chip belongs to a different document than the one you photographed.",
	"aa-required":              "The reader app did not let the chip prove it is genuine (active authentication). Update the app and read the chip again.",
	"aa-signature-invalid":     "The chip did not prove it is genuine (active authentication failed).",
	"aa-challenge-unknown":     "The reading answered an old request. Read the chip again.",
	"dg2-missing":              "The reading did not include the photo stored in the chip. Read the chip again.",
	"dg1-missing":              "The reading did not include the document data stored in the chip. Read the chip again.",
	"csca-unknown":             "Documents from this issuer cannot be checked here yet. Contact your IT team.",
	"ds-not-chained":           "The chip's signature does not lead to its issuing country. The document may not be genuine.",
	"ds-expired":               "The chip's signing certificate is not valid. Contact your IT team.",
	"ds-revoked":               "The issuing country has revoked the certificate that signed this chip.",
	"sod-signature-invalid":    "The chip's data is not signed correctly. The document may not be genuine.",
	"sod-malformed":            "The chip's security data could not be read. Read the chip again.",
	ReasonNoLiveness:           "Liveness was not checked (the selfie is a still photo); the reviewer looks at it.",
	"liveness-nonce":           "The capture answered an old request. Start again.",
	"liveness-expired":         "The capture took too long. Start again.",
	"liveness-frames":          "The capture was incomplete. Keep the page open and follow every prompt.",
	"liveness-timing":          "The capture was incomplete. Keep the page open and follow every prompt.",
	"liveness-still-frames":    "The camera showed a still picture, not a live view.",
	"liveness-no-face":         "Your face was not visible in every picture. Stay in view, in good light.",
	"liveness-face-changed":    "A different face appeared during the capture.",
	"liveness-face-mismatch":   "Your face does not match the document photo.",
	"liveness-face-borderline": "Your face was not clearly like the document photo; a reviewer will compare them.",
	ReasonDuplicateFace:        "A reviewer will look at your verification before it completes.",
	ReasonFaceBorderline:       "The selfie and the document photo were not clearly alike; the reviewer will compare them.",
	ReasonFaceMismatch:         "The selfie does not look like the document photo; the reviewer will compare them.",
	ReasonFaceReferenceMissing: "No face could be found in the document photo; the reviewer will compare the selfie with it.",
	"ds-key-usage":             "The chip's signing certificate is not meant for documents. The document may not be genuine.",
	"dg1-malformed":            "The document data stored in the chip could not be read. Read the chip again.",
	"dg2-malformed":            "The photo stored in the chip could not be read. Read the chip again.",
}

// explainReason turns a reason code into a sentence; a reviewer's reason
// ("code: text") is shown as written.
func explainReason(code string) string {
	if t, ok := reasonText[code]; ok {
		return t
	}
	if p, ok := strings.CutPrefix(code, "liveness-prompt:"); ok {
		if t, ok := promptText[liveness.Prompt(p)]; ok {
			return "This prompt was not followed clearly enough: " + strings.ToLower(t[:1]) + t[1:] + "."
		}
	}
	// Per data group reasons: "dg-hash-mismatch:DG2", "dg-missing-in-sod:DG5".
	if strings.HasPrefix(code, "dg-hash-mismatch:") || strings.HasPrefix(code, "dg-missing-in-sod:") {
		return "Data read from the chip differs from what the issuer signed. Read the chip again; if it persists, the document may not be genuine."
	}
	return code
}
