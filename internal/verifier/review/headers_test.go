package review

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// TestEveryAnswerHasSecurityHeaders: pages, refusals and redirects alike
// are never sniffed, framed, cached or allowed to run anything.
func TestEveryAnswerHasSecurityHeaders(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.BasePath = "/review" })
	s := e.seed("v-h", store.VerificationReview, "ada@corp.example", "Anna Maria Eriksson", time.Hour)
	tok := e.reviewerToken()
	for _, tc := range []struct {
		name   string
		r      response
		status int
	}{
		{"queue", e.do("GET", "/", tok, nil, nil), http.StatusOK},
		{"refusal", e.do("GET", "/", "", nil, nil), http.StatusUnauthorized},
		{"unknown page", e.do("GET", "/nowhere", tok, nil, nil), http.StatusNotFound},
		{"bare base path", e.do("GET", "", tok, nil, nil), http.StatusSeeOther},
		{"after a decision", post(e, s.id, "approve", tok, url.Values{"version": {"1"}}), http.StatusSeeOther},
	} {
		if tc.r.status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, tc.r.status, tc.status)
		}
		for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "Content-Security-Policy": cspFor(false)} {
			if got := tc.r.header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, got, want)
			}
		}
	}
}
