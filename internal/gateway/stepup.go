package gateway

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/policy"
)

func stepUpNeeded(d *policy.Decision) bool {
	needed, _, _, _ := d.StepUp()
	return needed
}

// stepUp answers a denial that an identity verification could lift:
// browsers are sent to verify at the app's verifier, API clients get an
// RFC 9470 challenge naming what to obtain.
func (g *Gateway) stepUp(w http.ResponseWriter, r *http.Request, rt *Route, d *policy.Decision) int {
	w.Header().Set("Cache-Control", "no-store")
	if httperr.WantsJSON(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.Header().Set("WWW-Authenticate", stepUpChallenge(rt, d))
		e := httperr.New(http.StatusUnauthorized, "verification-required",
			"This application needs a verified identity: open "+g.o.PublicURL+"/.vigil/verify in a browser.", nil)
		e.Reasons = reasonCodes(d)
		g.errs.Write(w, r, e)
		return http.StatusUnauthorized
	}
	http.Redirect(w, r, g.verify+url.QueryEscape(g.returnURL(r)), http.StatusFound)
	return http.StatusFound
}

// stepUpChallenge is the RFC 9470 WWW-Authenticate value for a policy
// step-up.
func stepUpChallenge(rt *Route, d *policy.Decision) string {
	_, _, maxAge, acr := d.StepUp()
	return challengeHeader(acr, rt.VerifierACR, maxAge, "identity verification required")
}

// challengeHeader builds an RFC 9470 challenge. acr values come from
// configuration (no quotes or backslashes: config rejects spaces, and any
// quote is dropped here rather than break the header); fallback is used
// when acr is empty.
func challengeHeader(acr, fallback []string, maxAge time.Duration, description string) string {
	if len(acr) == 0 {
		acr = fallback
	}
	var b strings.Builder
	b.WriteString(`Bearer error="insufficient_user_authentication", error_description="`)
	b.WriteString(strings.Map(quotedSafe, description))
	b.WriteByte('"')
	if len(acr) > 0 {
		b.WriteString(`, acr_values="`)
		for i, v := range acr {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.Map(quotedSafe, v))
		}
		b.WriteByte('"')
	}
	if maxAge > 0 {
		b.WriteString(", max_age=")
		b.WriteString(strconv.FormatInt(int64(maxAge.Seconds()), 10))
	}
	return b.String()
}

// quotedSafe drops characters that would end or escape a quoted-string.
func quotedSafe(r rune) rune {
	if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
		return -1
	}
	return r
}
