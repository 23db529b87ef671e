package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/httperr"
)

// BasePath is where the API is served.
const BasePath = "/.vigil/admin/api"

// Revocation scopes.
const (
	ScopeSession  = "session"
	ScopeUser     = "user"
	ScopeApp      = "app"
	ScopeProvider = "provider"
)

// Revocation ends sessions. Key is a session ID, user ID, app name or
// provider name; Reason is shown to the users whose sessions end.
type Revocation struct {
	Scope  string `json:"scope"`
	Key    string `json:"key"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"-"`
}

// SessionView is a session as the API shows it: never a cookie or token.
type SessionView struct {
	ID         string    `json:"id"`
	User       string    `json:"user"`
	Provider   string    `json:"provider"`
	Email      string    `json:"email,omitempty"`
	Name       string    `json:"name,omitempty"`
	Level      string    `json:"verification_level,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

// FactorView is one risk factor.
type FactorView struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Severity  int               `json:"severity"`
	Points    int               `json:"points"` // what it adds now, after decay; 0 when cleared or expired
	Reason    string            `json:"reason"`
	Evidence  map[string]string `json:"evidence,omitempty"`
	Source    string            `json:"source"`
	At        time.Time         `json:"at"`
	ExpiresAt time.Time         `json:"expires_at"`
	ClearedAt *time.Time        `json:"cleared_at,omitempty"`
	ClearedBy string            `json:"cleared_by,omitempty"`
}

// RiskView is a user's risk now, with every factor (active first).
type RiskView struct {
	User    string       `json:"user"`
	Score   int          `json:"score"`
	Level   string       `json:"level"`
	Factors []FactorView `json:"factors"`
}

// Raise is an administrator's risk factor.
type Raise struct {
	Severity int           `json:"severity"`
	Reason   string        `json:"reason"`
	TTL      time.Duration `json:"-"`
	By       string        `json:"-"`
}

// Service does what the API asks. Errors wrapping ErrNotFound or
// ErrInvalid are shown to the caller; any other is a 500 without detail.
type Service interface {
	Sessions(ctx context.Context, userID string) ([]SessionView, error)
	Revoke(ctx context.Context, r Revocation) (int, error)
	Risk(ctx context.Context, userID string) (RiskView, error)
	ResetRisk(ctx context.Context, userID, by, reason string) (RiskView, error)
	RaiseRisk(ctx context.Context, userID string, r Raise) (RiskView, error)
	// ResolveUser turns what an operator typed (a user ID, or an email
	// of a user with sessions) into a user ID.
	ResolveUser(ctx context.Context, who string) (string, error)
	// Users lists users, filtered by query, at most limit.
	Users(ctx context.Context, query string, limit int) ([]UserSummary, error)
	// User is one user by ID.
	User(ctx context.Context, userID string) (UserView, error)
	// TestPolicy evaluates an app's running policy; t.User is a user ID.
	TestPolicy(ctx context.Context, t PolicyTest) (PolicyDecision, error)
	// Streams lists Shared Signals subscribers and their streams.
	Streams(ctx context.Context) ([]SubscriberView, error)
}

var (
	// ErrNotFound: no such user, session, app or provider.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the request is wrong; the message says how.
	ErrInvalid = errors.New("invalid request")
	// ErrConflict: the request does not fit this replica's state; the
	// message says why.
	ErrConflict = errors.New("conflict")
)

// Options configure the API.
type Options struct {
	Token   []byte // the admin bearer token; required
	Service Service
	// Config serves /config; nil leaves it out.
	Config ConfigService
	// Reviews serves /reviews: the built-in verifier's queue; nil answers
	// 404 with why.
	Reviews ReviewService
	// Audit serves /audit; nil (records not in a file) answers 409.
	Audit  AuditSearcher
	Logger *slog.Logger
	Clock  func() time.Time
}

// API serves the admin endpoints.
type API struct {
	tokenSum [sha256.Size]byte
	svc      Service
	cfg      ConfigService
	reviews  ReviewService
	audit    AuditSearcher
	clock    func() time.Time
	errs     httperr.Writer
	mux      *http.ServeMux
	routes   []string
}

// New returns the API, or an error when it has no token: an admin API
// anyone may call is never served.
func New(o Options) (*API, error) {
	if len(o.Token) < 16 {
		return nil, errors.New("admin: the admin token must be at least 16 bytes")
	}
	if o.Service == nil {
		return nil, errors.New("admin: no service")
	}
	a := &API{tokenSum: sha256.Sum256(o.Token), svc: o.Service, cfg: o.Config, reviews: o.Reviews, audit: o.Audit,
		clock: o.Clock, errs: httperr.Writer{Logger: o.Logger}, mux: http.NewServeMux()}
	if a.clock == nil {
		a.clock = time.Now
	}
	// Every route is registered whatever is configured: a part that is
	// off answers why, in JSON, and docs/openapi.yaml lists them all.
	a.handle("GET /sessions", a.listSessions)
	a.handle("POST /sessions/revoke", a.revoke)
	a.handle("GET /users", a.listUsers)
	a.handle("GET /users/{user}", a.showUser)
	a.handle("GET /users/{user}/risk", a.risk)
	a.handle("POST /users/{user}/risk/reset", a.resetRisk)
	a.handle("POST /users/{user}/risk/raise", a.raiseRisk)
	a.handle("GET /reviews", a.listReviews)
	a.handle("GET /reviews/{id}", a.showReview)
	a.handle("GET /reviews/{id}/evidence/{eid}", a.reviewEvidence)
	a.handle("POST /reviews/{id}/approve", a.decideReview(true))
	a.handle("POST /reviews/{id}/reject", a.decideReview(false))
	a.handle("POST /policy/test", a.testPolicy)
	a.handle("GET /audit", a.searchAudit)
	a.handle("GET /ssf/streams", a.listStreams)
	a.handle("GET /config", a.configStatus)
	a.handle("PUT /config", a.pushConfig)
	a.handle("GET /config/versions/{version}", a.configVersion)
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Routes lists every endpoint as "METHOD /path" under BasePath, in the
// order registered; docs/openapi.yaml is checked against it.
func (a *API) Routes() []string { return slices.Clone(a.routes) }

// handle registers fn behind the token check. Answers are JSON, never
// cached, never framed; an evidence image (*rawImage) is sent as is.
func (a *API) handle(route string, fn func(w http.ResponseWriter, r *http.Request) (any, error)) {
	a.routes = append(a.routes, route)
	method, path, _ := strings.Cut(route, " ")
	a.mux.Handle(method+" "+BasePath+path, a.errs.Wrap(func(w http.ResponseWriter, r *http.Request) error {
		// Errors are JSON whatever the client accepts.
		r.Header.Set("Accept", "application/json")
		if !a.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="vigil-admin"`)
			return httperr.New(http.StatusUnauthorized, "unauthorized", "A valid admin token is required.", nil)
		}
		out, err := fn(w, r)
		if err != nil {
			return publicError(err)
		}
		if img, ok := out.(*rawImage); ok {
			return writeImage(w, img)
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}))
}

// authorized compares hashes in constant time, so neither the token's
// content nor its length leaks through timing.
func (a *API) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(sum[:], a.tokenSum[:]) == 1
}

func publicError(err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return httperr.New(http.StatusNotFound, "not-found", publicText(err), nil)
	case errors.Is(err, ErrInvalid):
		return httperr.New(http.StatusBadRequest, "invalid-request", publicText(err), nil)
	case errors.Is(err, ErrConflict):
		return httperr.New(http.StatusConflict, "conflict", publicText(err), nil)
	case errors.Is(err, ErrNotImage):
		return httperr.New(http.StatusUnsupportedMediaType, "not-an-image", publicText(err), nil)
	}
	if e, ok := asRejected(err); ok {
		return rejected(e)
	}
	return err
}

// publicText is the message of an ErrNotFound or ErrInvalid error, which
// the service builds for the operator's eyes.
func publicText(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// decode reads a small JSON body strictly.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%w: send application/json", ErrInvalid)
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: body: %w", ErrInvalid, err)
	}
	return nil
}
