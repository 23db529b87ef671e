package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/admin"
	"github.com/vigil-gw/vigil/internal/config"
	"github.com/vigil-gw/vigil/internal/store"
)

// BasePath is where the console is served (the mount point is BasePath+"/").
const BasePath = "/.vigil/console"

// Service is the admin operations the console uses; admin.Service (the
// assurance service) implements them. Errors wrapping admin.ErrNotFound or
// admin.ErrInvalid carry text meant for the operator.
type Service interface {
	Sessions(ctx context.Context, userID string) ([]admin.SessionView, error)
	Revoke(ctx context.Context, r admin.Revocation) (int, error)
	Risk(ctx context.Context, userID string) (admin.RiskView, error)
	ResetRisk(ctx context.Context, userID, by, reason string) (admin.RiskView, error)
	ResolveUser(ctx context.Context, who string) (string, error)
	Users(ctx context.Context, query string, limit int) ([]admin.UserSummary, error)
	User(ctx context.Context, userID string) (admin.UserView, error)
	TestPolicy(ctx context.Context, t admin.PolicyTest) (admin.PolicyDecision, error)
	Streams(ctx context.Context) ([]admin.SubscriberView, error)
}

var _ Service = admin.Service(nil)

// Sessions finds the request's Vigil session (*session.Manager implements
// it). Errors wrapping session.ErrNoSession mean "sign in"; any other is a
// store failure and the console refuses.
type Sessions interface {
	LookupRequest(r *http.Request) (*store.Session, error)
}

// Options configure a Handler. Service, Sessions, Group, CSRFKey and
// PublicURL are required; a part left nil is shown as off, with why.
type Options struct {
	Service  Service
	Sessions Sessions
	// Reviews is the built-in verifier's review queue; nil when no
	// verifier runs in this process.
	Reviews admin.ReviewService
	// Audit searches the audit log; nil when records go to stdout or
	// nowhere.
	Audit admin.AuditSearcher
	// Apps lists the running configuration's app names, for the policy
	// tester; it is called per request, so a reload shows. Nil: none.
	Apps func() []string
	// AppConfigs returns the running configuration's apps, for the apps
	// and policies page; called per request. Nil: the page lists none.
	AppConfigs func() []config.App
	// Group: an identity whose groups include it may use the console.
	Group string
	// EvidenceGroup: a console admin whose groups also include it sees
	// the evidence images on the review page, each view audited by
	// Reviews. Empty: no one sees them here.
	EvidenceGroup string
	// CSRFKey signs the per-session form tokens: at least 32 bytes, derived
	// from the master secret so every replica accepts every other's forms.
	CSRFKey []byte
	// PublicURL is the gateway's origin; a browser POST must come from it.
	PublicURL string
	// LoginPath starts the gateway's sign-in; default "/.vigil/login".
	LoginPath string
	Logger    *slog.Logger
	Clock     func() time.Time
}

// Handler serves the console. It is safe for concurrent use.
type Handler struct {
	opt    Options
	origin string // scheme://host[:port] of PublicURL
	pages  *pages
	mux    *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New checks opt, reporting every problem at once, and builds the handler.
func New(opt Options) (*Handler, error) {
	var errs []error
	if opt.Service == nil {
		errs = append(errs, errors.New("a service is required"))
	}
	if opt.Sessions == nil {
		errs = append(errs, errors.New("a session lookup is required"))
	}
	if strings.TrimSpace(opt.Group) == "" {
		errs = append(errs, errors.New("an admin group is required"))
	}
	if opt.EvidenceGroup != "" && strings.TrimSpace(opt.EvidenceGroup) != opt.EvidenceGroup {
		errs = append(errs, errors.New("the evidence group must not have surrounding spaces"))
	}
	if len(opt.CSRFKey) < 32 {
		errs = append(errs, errors.New("the CSRF key must be at least 32 bytes"))
	}
	u, err := url.Parse(opt.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("public URL %q must be an absolute http(s) URL", opt.PublicURL))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("console: invalid options: %w", err)
	}
	if opt.LoginPath == "" {
		opt.LoginPath = "/.vigil/login"
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	p, err := newPages()
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	h := &Handler{opt: opt, origin: u.Scheme + "://" + u.Host, pages: p, mux: http.NewServeMux()}
	h.routes()
	return h, nil
}

// ServeHTTP sets the security headers before anything else answers, so
// that redirects and refusals carry them too.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// routes: every page needs an admin; every POST also passes the origin
// and CSRF checks (post).
func (h *Handler) routes() {
	get := func(pattern string, fn handlerFunc) { h.mux.Handle("GET "+BasePath+pattern, h.authed(fn, false)) }
	post := func(pattern string, fn handlerFunc) { h.mux.Handle("POST "+BasePath+pattern, h.authed(fn, true)) }
	get("/{$}", h.overview)
	get("/sessions", h.sessions)
	post("/sessions/revoke", h.revoke)
	get("/users", h.users)
	get("/users/{user}", h.user)
	post("/users/{user}/risk/reset", h.resetRisk)
	get("/reviews", h.reviews)
	get("/reviews/{id}", h.review)
	post("/reviews/{id}/approve", h.approveReview)
	post("/reviews/{id}/reject", h.rejectReview)
	get("/reviews/{id}/evidence/{eid}", h.reviewEvidence)
	get("/apps", h.apps)
	get("/policy", h.policyTest)
	get("/audit", h.auditSearch)
	get("/streams", h.streams)
	h.mux.Handle("GET "+BasePath+"/static/style.css", h.pages.static())
	h.mux.Handle("GET "+BasePath, http.RedirectHandler(BasePath+"/", http.StatusSeeOther))
	h.mux.Handle(BasePath+"/", h.plain(func(http.ResponseWriter, *http.Request) error { return errNotFound }))
}
