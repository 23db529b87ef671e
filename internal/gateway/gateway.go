// Package gateway is the request path: route by host and path, find the
// session, ask the app's compiled policy, and proxy allowed requests with
// a signed identity assertion. Client-sent identity headers are stripped
// before anything is set. It must not touch the database on a request with
// a warm session: sessions come from the session cache, policies are
// compiled, assertions are cached.
package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-gw/vigil/internal/audit"
	"github.com/vigil-gw/vigil/internal/httperr"
	"github.com/vigil-gw/vigil/internal/metrics"
	"github.com/vigil-gw/vigil/internal/policy"
	"github.com/vigil-gw/vigil/internal/risk"
	"github.com/vigil-gw/vigil/internal/store"
)

// Sessions resolves a session cookie. ErrNoSession (matched with IsNoSession)
// means "not signed in"; any other error is a failure of the session store.
type Sessions interface {
	Lookup(ctx context.Context, cookie string) (*store.Session, error)
}

// Minter signs the identity assertion for a session and app.
type Minter interface {
	Mint(s *store.Session, app string, now time.Time) (string, error)
}

// Route is one app's entry in the routing table.
type Route struct {
	App          string
	Host         string
	Prefix       string
	Upstream     *url.URL
	PreserveHost bool
	Policy       *policy.Policy
	// Risk is what the app does for users at medium and high risk.
	Risk RiskActions
	// Verifier names the app's identity verifier; empty when it has none,
	// and then no denial sends the user to verify.
	Verifier string
	// VerifierACR are the verifier's configured acr_values, announced to
	// API clients when the policy names none.
	VerifierACR []string

	proxy    *httputil.ReverseProxy
	observer prometheus.Observer
}

// Options wires a Gateway.
type Options struct {
	Routes      []*Route
	Sessions    Sessions
	IsNoSession func(error) bool
	// RevokedReason returns what to tell a user whose session was revoked
	// with a reason (a no-session error that carries one), or "".
	RevokedReason   func(error) string
	Minter          Minter
	CookieName      string
	IsOurCookie     func(name string) bool
	AssertionHeader string
	PublicURL       string
	Transport       http.RoundTripper
	ClientIP        *ClientIP
	Clock           func() time.Time
	// Stale reports whether this replica has been unable to read the
	// store's change feed for too long to trust its cached sessions (a
	// revocation could be waiting); requests with a session then get 503.
	Stale func(now time.Time) bool
	// Assurance, when set, applies continuous assurance (risk levels,
	// app revocations, observations for the detectors).
	Assurance Assurance
	// DeviceCookie names the long-lived device cookie; CookieDomain is
	// the session cookie's domain, shared by it.
	DeviceCookie string
	CookieDomain string
	Metrics      *metrics.Metrics
	Audit        *audit.Log
	Logger       *slog.Logger
}

// Gateway is an immutable http.Handler built from one configuration.
type Gateway struct {
	o       Options
	table   *Table
	errs    httperr.Writer
	login   string // public URL of the sign-in page
	verify  string // public URL of the verification start
	scheme  string // scheme of return URLs for plain-HTTP requests
	assertH string // canonical assertion header name
}

// New builds the gateway and one reverse proxy per route.
func New(o Options) *Gateway {
	g := &Gateway{
		o:       o,
		login:   o.PublicURL + "/.vigil/login?rd=",
		verify:  o.PublicURL + "/.vigil/verify?rd=",
		scheme:  "http",
		assertH: http.CanonicalHeaderKey(o.AssertionHeader),
		errs:    httperr.Writer{Logger: o.Logger, RequestID: RequestID},
	}
	if strings.HasPrefix(o.PublicURL, "https://") {
		g.scheme = "https"
	}
	for _, r := range o.Routes {
		r.proxy = g.newProxy(r)
		if o.Metrics != nil {
			r.observer = o.Metrics.Upstream(r.App)
		}
	}
	g.table = NewTable(o.Routes)
	return g
}

// ServeHTTP decides and proxies one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := g.o.Clock()
	if reason := checkRequest(r); reason != "" {
		status, text := http.StatusBadRequest, "The request's address is not in a form the gateway accepts."
		if reason == "method-not-allowed" {
			status, text = http.StatusMethodNotAllowed, "The gateway does not accept this method."
		}
		g.errs.Write(w, r, httperr.New(status, reason, text, nil))
		return
	}
	rt := g.table.Match(r.Host, r.URL.Path)
	if rt == nil {
		g.errs.Write(w, r, httperr.New(http.StatusNotFound, "no-app", "No application is served at this address.", nil))
		return
	}
	// Strip first: nothing the client sent under our names may survive,
	// whatever the decision.
	stripIdentity(r.Header, g.assertH)

	in := policy.Input{IP: g.o.ClientIP.Of(r), Now: now}
	if in.IP.IsValid() {
		// Handed to Rewrite for X-Forwarded-For; stripIdentity removes
		// it from the outbound copy like any X-Vigil-* header.
		r.Header[clientIPHeader] = []string{in.IP.String()}
	}
	if g.o.Stale != nil && g.o.Stale(now) && g.hasSessionCookie(r) {
		g.errs.Write(w, r, httperr.New(http.StatusServiceUnavailable, "session-store-stale",
			"Vigil cannot confirm your session is still valid right now: its database is unreachable. Try again in a moment.", nil))
		g.record(r, rt, nil, "error", "", []string{"session-store-stale"}, http.StatusServiceUnavailable, now, in)
		return
	}
	sess, revoked, err := g.session(r)
	if err != nil {
		g.errs.Write(w, r, httperr.New(http.StatusServiceUnavailable, "session-store-unavailable",
			"Vigil cannot check your session right now. Try again in a moment.", err))
		g.record(r, rt, nil, "error", "", []string{"session-store-unavailable"}, http.StatusServiceUnavailable, now, in)
		return
	}
	if sess != nil && g.o.Assurance != nil {
		if at := g.o.Assurance.AppRevokedAt(rt.App); !at.IsZero() && sess.CreatedAt.Before(at) {
			// An administrator revoked access to this app: every session
			// from before then must sign in again to reach it.
			sess = nil
		}
	}
	if sess != nil {
		in.Identity = &sess.Identity
		if g.assess(w, r, rt, sess, &in, now) {
			return
		}
	}
	d := rt.Policy.Evaluate(&in)
	switch {
	case d.Action == policy.Bypass:
		g.proxy(w, r, rt, nil, &d, now, in)
	case d.Action == policy.Allow && sess != nil:
		tok, err := g.o.Minter.Mint(sess, rt.App, now)
		if err != nil {
			g.errs.Write(w, r, httperr.New(http.StatusServiceUnavailable, "assertion-failed",
				"Vigil could not vouch for you to the application. Try again in a moment.", err))
			g.record(r, rt, sess, "error", "", []string{"assertion-failed"}, http.StatusServiceUnavailable, now, in)
			return
		}
		r.Header[g.assertH] = []string{tok}
		g.proxy(w, r, rt, sess, &d, now, in)
	case d.Unauthenticated() && revoked != "":
		status := g.revokedPage(w, r, revoked)
		g.decided(r, rt, nil, &d, status, now, in)
	case d.Unauthenticated():
		status := g.challenge(w, r)
		g.decided(r, rt, nil, &d, status, now, in)
	case sess != nil && rt.Verifier != "" && in.Risk > risk.Low && RiskFailed(&d) &&
		g.o.Assurance.StepUpHelps(sess.UserID, in.Risk, now):
		// The policy asks for lower risk than the user's: a fresh
		// verification clears what the detectors found.
		g.riskStepUp(w, r, rt, sess, in.Risk, now, in)
	case sess != nil && rt.Verifier != "" && stepUpNeeded(&d):
		status := g.stepUp(w, r, rt, &d)
		g.decided(r, rt, sess, &d, status, now, in)
	default:
		e := httperr.New(http.StatusForbidden, "access-denied",
			"You are signed in, but this application's policy does not let you in.", nil)
		e.Reasons = reasonCodes(&d)
		e.Links = []httperr.Link{{Label: "Sign in as someone else",
			URL: g.o.PublicURL + "/.vigil/logout?rd=" + url.QueryEscape(g.returnURL(r))}}
		g.errs.Write(w, r, e)
		g.decided(r, rt, sess, &d, http.StatusForbidden, now, in)
	}
}

// session returns the request's session, nil when there is none, and
// then why it was revoked when it was revoked with a reason.
func (g *Gateway) session(r *http.Request) (*store.Session, string, error) {
	value := cookieValue(r.Header, g.o.CookieName)
	if value == "" {
		return nil, "", nil
	}
	s, err := g.o.Sessions.Lookup(r.Context(), value)
	if err != nil {
		if g.o.IsNoSession(err) {
			why := ""
			if g.o.RevokedReason != nil {
				why = g.o.RevokedReason(err)
			}
			return nil, why, nil
		}
		return nil, "", err
	}
	return s, "", nil
}

func (g *Gateway) hasSessionCookie(r *http.Request) bool {
	return cookieValue(r.Header, g.o.CookieName) != ""
}

// revokedPage tells a user whose session was revoked why, and offers to
// sign in again, instead of sending them to sign in without a word.
func (g *Gateway) revokedPage(w http.ResponseWriter, r *http.Request, why string) int {
	w.Header().Set("Cache-Control", "no-store")
	e := httperr.New(http.StatusUnauthorized, "session-revoked", "You were signed out: "+why+". Sign in again to continue.", nil)
	if httperr.WantsJSON(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+g.o.PublicURL+`", error="invalid_token", error_description="session revoked"`)
	} else {
		e.Links = []httperr.Link{{Label: "Sign in again", URL: g.login + url.QueryEscape(g.returnURL(r))}}
	}
	g.errs.Write(w, r, e)
	return http.StatusUnauthorized
}

// challenge sends a browser to sign in and tells an API client why not.
func (g *Gateway) challenge(w http.ResponseWriter, r *http.Request) int {
	w.Header().Set("Cache-Control", "no-store")
	if httperr.WantsJSON(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+g.o.PublicURL+`"`)
		e := httperr.New(http.StatusUnauthorized, "unauthenticated",
			"Sign in first: open "+g.o.PublicURL+"/.vigil/login in a browser.", nil)
		g.errs.Write(w, r, e)
		return http.StatusUnauthorized
	}
	http.Redirect(w, r, g.login+url.QueryEscape(g.returnURL(r)), http.StatusFound)
	return http.StatusFound
}

// returnURL is the absolute URL of r, where sign-in brings the user back.
func (g *Gateway) returnURL(r *http.Request) string {
	scheme := g.scheme
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

func (g *Gateway) decided(r *http.Request, rt *Route, s *store.Session, d *policy.Decision, status int, now time.Time, in policy.Input) {
	codes := reasonCodes(d)
	g.record(r, rt, s, d.Action.String(), d.Rule, codes, status, now, in)
}

func (g *Gateway) record(r *http.Request, rt *Route, s *store.Session, decision, rule string, reasons []string, status int, now time.Time, in policy.Input) {
	if m := g.o.Metrics; m != nil {
		first := ""
		if len(reasons) > 0 {
			first = reasons[0]
		}
		m.Decision(rt.App, decision, first)
		m.Request(rt.App, status)
	}
	if g.o.Audit == nil {
		return
	}
	rec := &audit.Record{
		Time: now, Kind: "decision", RequestID: RequestID(r), App: rt.App,
		Decision: decision, Rule: rule, Reasons: reasons, Method: r.Method,
		Host: r.Host, Path: r.URL.Path, Status: status,
	}
	if in.IP.IsValid() {
		rec.IP = in.IP.String()
	}
	if s != nil {
		rec.User, rec.Email, rec.Session = s.UserID, s.Identity.Email, s.ID
	}
	g.o.Audit.Write(rec)
}

func reasonCodes(d *policy.Decision) []string {
	rs := d.Reasons()
	out := make([]string, len(rs))
	for i := range rs {
		out[i] = rs[i].Code
	}
	return out
}
