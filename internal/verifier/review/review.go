package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
	"github.com/vigil-gw/vigil/pkg/vigilauth"
)

// Verifier is the verifier's reviewer operations (internal/verifier
// implements it). Approve and Reject must refuse a verification that is
// no longer waiting for review; the handler then re-reads it to tell the
// reviewer it was already decided.
type Verifier interface {
	// Queue returns verifications waiting for review, oldest first.
	Queue(ctx context.Context, limit int) ([]store.Verification, error)
	Approve(ctx context.Context, id, reviewer, note string) error
	Reject(ctx context.Context, id, reviewer, reason string) error
	// Evidence returns the decrypted bytes of one evidence record.
	Evidence(ctx context.Context, evidenceID string) (contentType string, data []byte, err error)
}

// Store is the record reads the pages need (internal/store/sqlite
// implements it). Evidence metadata only: the sealed bytes are opened by
// the Verifier.
type Store interface {
	GetVerification(ctx context.Context, id string) (*store.Verification, error)
	ListEvidence(ctx context.Context, verificationID string) ([]store.Evidence, error)
}

// AssertionVerifier checks the gateway's identity assertion
// (*vigilauth.Verifier implements it).
type AssertionVerifier interface {
	Verify(ctx context.Context, token string) (*vigilauth.Claims, error)
}

var _ AssertionVerifier = (*vigilauth.Verifier)(nil)

// DefaultQueueLimit is how many verifications the queue page shows.
const DefaultQueueLimit = 200

// Options configure a Handler. Verifier, Store, Assertions and
// ReviewerGroups are required.
type Options struct {
	Verifier   Verifier
	Store      Store
	Assertions AssertionVerifier
	// ReviewerGroups: a user whose assertion lists one of these groups may
	// review. Compared exactly.
	ReviewerGroups []string
	// Header carries the assertion; default vigilauth.DefaultHeader.
	Header string
	// BasePath is the app's path prefix behind the gateway (which forwards
	// the path unchanged), e.g. "/review". Default: the root.
	BasePath string
	// TrustedOrigins may POST besides this origin (http.CrossOriginProtection);
	// normally empty.
	TrustedOrigins []string
	// QueueLimit bounds the queue page; default DefaultQueueLimit.
	QueueLimit int
	Logger     *slog.Logger
	Clock      func() time.Time
}

// Handler serves the review UI. It is safe for concurrent use.
type Handler struct {
	opt    Options
	groups map[string]bool
	pages  *pages
	mux    http.Handler
}

var _ http.Handler = (*Handler)(nil)

// New checks opt, reporting every problem at once, and builds the handler.
func New(opt Options) (*Handler, error) {
	var errs []error
	if opt.Verifier == nil {
		errs = append(errs, errors.New("a verifier is required"))
	}
	if opt.Store == nil {
		errs = append(errs, errors.New("a store is required"))
	}
	if opt.Assertions == nil {
		errs = append(errs, errors.New("an assertion verifier is required"))
	}
	groups := map[string]bool{}
	for _, g := range opt.ReviewerGroups {
		if strings.TrimSpace(g) == "" {
			errs = append(errs, errors.New("reviewer groups must not be empty strings"))
			continue
		}
		groups[g] = true
	}
	if len(opt.ReviewerGroups) == 0 {
		errs = append(errs, errors.New("at least one reviewer group is required"))
	}
	base := strings.TrimRight(opt.BasePath, "/")
	if base != "" && (!strings.HasPrefix(base, "/") || strings.ContainsAny(base, "?#\\ ")) {
		errs = append(errs, fmt.Errorf("base path %q must be an absolute path", opt.BasePath))
	}
	opt.BasePath = base
	if opt.Header == "" {
		opt.Header = vigilauth.DefaultHeader
	}
	if opt.QueueLimit <= 0 {
		opt.QueueLimit = DefaultQueueLimit
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range opt.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("review: invalid options: %w", err)
	}
	p, err := newPages(base)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	h := &Handler{opt: opt, groups: groups, pages: p}
	cop.SetDenyHandler(h.plain(func(http.ResponseWriter, *http.Request) error { return errCrossOrigin }))
	h.mux = h.routes(cop)
	return h, nil
}

// ServeHTTP sets the security headers before anything else answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// routes mounts the pages under BasePath. Every route but the stylesheet
// needs a reviewer; every POST also passes cross-origin protection first.
func (h *Handler) routes(cop *http.CrossOriginProtection) http.Handler {
	mux := http.NewServeMux()
	get := func(pattern string, fn handlerFunc) { mux.Handle("GET "+pattern, h.authed(fn)) }
	post := func(pattern string, fn handlerFunc) {
		mux.Handle("POST "+pattern, cop.Handler(h.authed(fn)))
	}
	get("/{$}", h.queue)
	get("/v/{id}", h.detail)
	get("/v/{id}/evidence/{eid}", h.evidence)
	post("/v/{id}/approve", h.approve)
	post("/v/{id}/reject", h.reject)
	mux.Handle("GET /static/style.css", h.pages.static())
	mux.Handle("/", h.plain(func(http.ResponseWriter, *http.Request) error { return errNotFound }))
	if h.opt.BasePath == "" {
		return mux
	}
	base := h.opt.BasePath
	strip := http.StripPrefix(base, mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == base && r.Method == http.MethodGet {
			http.Redirect(w, r, base+"/", http.StatusSeeOther)
			return
		}
		strip.ServeHTTP(w, r)
	})
}
