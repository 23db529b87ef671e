package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// Assurance is continuous assurance as the request path sees it. Level,
// Observe, AppRevokedAt and StepUpHelps read memory only: the hot path
// must not touch the database.
type Assurance interface {
	// Level is the user's risk level at now.
	Level(userID string, now time.Time) risk.Level
	// StepUpHelps reports whether a fresh verification would bring the
	// user's level below level (it clears detector findings, not what an
	// administrator or the identity provider said).
	StepUpHelps(userID string, level risk.Level, now time.Time) bool
	// Reasons are the user-readable reasons for the user's risk now.
	Reasons(userID string, now time.Time) []string
	// Observe hands what a request shows to the detectors. It must not
	// block: under overload observations may be dropped (and counted).
	Observe(o Observation)
	// AppRevokedAt: sessions created before it must sign in again for app.
	AppRevokedAt(app string) time.Time
	// RevokeUser ends every session of the user on every replica.
	RevokeUser(ctx context.Context, userID, reason string) error
}

// Observation is what one request shows about its user.
type Observation struct {
	At        time.Time
	UserID    string
	SessionID string
	App       string
	IP        netip.Addr
	Device    string // the device cookie, "" when the browser has none yet
	Language  string // primary tag of Accept-Language, e.g. "de-DE"
	// DocCountry is the verified document's issuing country, if known.
	DocCountry string
}

// RiskActions are what a route does for users at medium and high risk
// (config.RiskAction* values; low always goes on to the policy).
type RiskActions struct {
	// Off: risk is disabled; every user is at low risk here.
	Off          bool
	Medium, High string
	// StepUpMaxAge and StepUpACR are what a risk step-up asks of the
	// verifier; announced to API clients in the RFC 9470 challenge.
	StepUpMaxAge time.Duration
	StepUpACR    []string
}

func (a *RiskActions) forLevel(l risk.Level) string {
	switch l {
	case risk.Medium:
		return a.Medium
	case risk.High:
		return a.High
	}
	return "allow"
}

// deviceIDLen is the length of a device cookie value: 16 random bytes,
// base64url. The value identifies a browser; it is no credential.
const deviceIDLen = 22

// device returns the request's device ID, setting a new cookie when it
// has none (or a malformed one).
func (g *Gateway) device(w http.ResponseWriter, r *http.Request) string {
	name := g.o.DeviceCookie
	if name == "" {
		return ""
	}
	if v := cookieValue(r.Header, name); ValidDeviceID(v) {
		return v
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return ""
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: name, Value: id, Path: "/", Domain: g.o.CookieDomain,
		MaxAge: 400 * 24 * 3600, HttpOnly: true, Secure: g.scheme == "https", SameSite: http.SameSiteLaxMode})
	return ""
}

// ValidDeviceID reports whether s has the form of a device cookie value.
func ValidDeviceID(s string) bool {
	if len(s) != deviceIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// primaryLanguage is the first tag of Accept-Language, bounded.
func primaryLanguage(h string) string {
	tag, _, _ := strings.Cut(h, ",")
	tag, _, _ = strings.Cut(tag, ";")
	tag = strings.TrimSpace(tag)
	if len(tag) > 35 {
		return ""
	}
	return tag
}

// assess applies continuous assurance to a signed-in request: it observes
// the request, puts the user's level into the policy input, and answers
// the request itself when the level's action is not to go on to the
// policy. It reports whether it answered.
func (g *Gateway) assess(w http.ResponseWriter, r *http.Request, rt *Route, sess *store.Session, in *policy.Input, now time.Time) bool {
	a := g.o.Assurance
	if a == nil || rt.Risk.Off {
		return false
	}
	o := Observation{At: now, UserID: sess.UserID, SessionID: sess.ID, App: rt.App, IP: in.IP,
		Device: g.device(w, r), Language: primaryLanguage(r.Header.Get("Accept-Language"))}
	if v := sess.Identity.Verification; v != nil {
		o.DocCountry = v.DocumentCountry
	}
	a.Observe(o)
	lvl := a.Level(sess.UserID, now)
	in.Risk = lvl
	if lvl == risk.Low {
		return false
	}
	switch act := rt.Risk.forLevel(lvl); act {
	case "allow":
		return false
	case "step_up":
		if rt.Verifier != "" && a.StepUpHelps(sess.UserID, lvl, now) {
			g.riskStepUp(w, r, rt, sess, lvl, now, *in)
			return true
		}
		// A verification would not help (the identity provider or an
		// administrator raised the risk): deny, saying why.
		g.riskDeny(w, r, rt, sess, lvl, now, *in, "risk-deny")
		return true
	case "revoke":
		reasons := a.Reasons(sess.UserID, now)
		why := "your account's risk is " + lvl.String()
		if len(reasons) > 0 {
			why = reasons[0]
		}
		if err := a.RevokeUser(r.Context(), sess.UserID, why); err != nil {
			g.o.Logger.Warn("risk revocation failed; the request is denied anyway", "user", sess.UserID, "err", err)
		}
		e := httperr.New(http.StatusUnauthorized, "risk-revoked",
			"Vigil ended all your sessions because your account's risk is "+lvl.String()+". Sign in again; you may be asked to verify your identity.", nil)
		e.Reasons = reasons
		e.Links = []httperr.Link{{Label: "Sign in again", URL: g.login + url.QueryEscape(g.returnURL(r))}}
		w.Header().Set("Cache-Control", "no-store")
		g.errs.Write(w, r, e)
		g.record(r, rt, sess, "revoke", "", []string{"risk-" + lvl.String()}, http.StatusUnauthorized, now, *in)
		return true
	default: // deny, or anything unknown: fail closed
		g.riskDeny(w, r, rt, sess, lvl, now, *in, "risk-deny")
		return true
	}
}

func (g *Gateway) riskDeny(w http.ResponseWriter, r *http.Request, rt *Route, sess *store.Session, lvl risk.Level, now time.Time, in policy.Input, code string) {
	e := httperr.New(http.StatusForbidden, code,
		"Access is paused because your account's risk is "+lvl.String()+". Contact your administrator; they can see why and reset it.", nil)
	e.Reasons = g.o.Assurance.Reasons(sess.UserID, now)
	w.Header().Set("Cache-Control", "no-store")
	g.errs.Write(w, r, e)
	g.record(r, rt, sess, "deny", "", []string{"risk-" + lvl.String()}, http.StatusForbidden, now, in)
}

// riskStepUp sends a browser to re-verify (max_age makes the verifier ask
// for a fresh selfie) and gives API clients an RFC 9470 challenge.
func (g *Gateway) riskStepUp(w http.ResponseWriter, r *http.Request, rt *Route, sess *store.Session, lvl risk.Level, now time.Time, in policy.Input) {
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusFound
	if httperr.WantsJSON(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.Header().Set("WWW-Authenticate", challengeHeader(rt.Risk.StepUpACR, rt.VerifierACR, rt.Risk.StepUpMaxAge, "identity re-verification required: risk is "+lvl.String()))
		e := httperr.New(http.StatusUnauthorized, "risk-step-up",
			"Your account's risk is "+lvl.String()+": verify your identity again at "+g.o.PublicURL+"/.vigil/verify in a browser.", nil)
		e.Reasons = g.o.Assurance.Reasons(sess.UserID, now)
		g.errs.Write(w, r, e)
		status = http.StatusUnauthorized
	} else {
		http.Redirect(w, r, g.verify+url.QueryEscape(g.returnURL(r)), http.StatusFound)
	}
	g.record(r, rt, sess, "step-up", "", []string{"risk-" + lvl.String()}, status, now, in)
}

// RiskFailed reports whether a risk selector is among the reasons the
// policy denied.
func RiskFailed(d *policy.Decision) bool {
	for _, r := range d.Reasons() {
		if r.Code == "require-failed:risk" || r.Code == "excluded-by:risk" {
			return true
		}
	}
	return false
}
