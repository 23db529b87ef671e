package authn

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/keys"
)

// pathPrefix is where the integrator mounts the Handler; it sees full
// paths (no StripPrefix).
const pathPrefix = "/.vigil/"

// Paths served by the Handler.
const (
	PathLogin     = pathPrefix + "login"
	PathStart     = pathPrefix + "start"
	PathCallback  = pathPrefix + "callback"
	PathLogout    = pathPrefix + "logout"
	PathSignedOut = pathPrefix + "signed-out"
	PathStyle     = pathPrefix + "authn.css"
)

// SessionMeta is what the session creator gets besides the identity.
type SessionMeta struct {
	// Request is the callback request (client address, user agent).
	Request *http.Request
	// IDToken is the raw ID token, for id_token_hint at logout. Never log it.
	IDToken string
	// SID is the provider's session id claim (back-channel logout), if any.
	SID string
}

// SessionCreator starts a session for a verified identity and returns the
// cookie to set.
type SessionCreator interface {
	Create(ctx context.Context, id identity.Identity, meta SessionMeta) (*http.Cookie, error)
}

// Revoked describes the session a logout ended.
type Revoked struct {
	// Provider and IDToken of the ended session; empty when there was none.
	Provider string
	IDToken  string
	// Clear deletes the session cookie; nil when there is nothing to clear.
	Clear *http.Cookie
}

// SessionRevoker ends the session the request carries, if any. No session
// is not an error.
type SessionRevoker interface {
	Revoke(ctx context.Context, r *http.Request) (Revoked, error)
}

// Ledger records one-time values. MarkUsed reports whether key was unused
// (and marks it until expires); a second call with the same key is false.
type Ledger interface {
	MarkUsed(ctx context.Context, key string, expires time.Time) (firstUse bool, err error)
}

// Apps tells which providers may sign in to the app a return URL points at.
// An empty answer means none. Relative return URLs arrive resolved against
// the public URL.
type Apps interface {
	ProvidersFor(returnURL *url.URL) []string
}

// Options are the Handler's dependencies. Sessions, Revoker, Ledger, Apps,
// HostAllowed, PublicURL and Master are required.
type Options struct {
	PublicURL   string // the gateway's external base URL, e.g. https://gw.example.com
	Master      []byte // master secret; the login cookie key is derived from it
	Providers   []*Provider
	Sessions    SessionCreator
	Revoker     SessionRevoker
	Ledger      Ledger
	Apps        Apps
	HostAllowed func(host string) bool // is host (lower-case, no port) an app host we serve?
	// Verifiers, Verifications and StepUps enable /.vigil/verify; without
	// them it refuses with no-verifier.
	Verifiers     []*Provider
	Verifications Verifications
	StepUps       StepUps
	// HintMinter is required when a verifier sends assertion login hints.
	HintMinter HintMinter
	// Backchannel enables POST /.vigil/backchannel-logout; without it the
	// route is not served.
	Backchannel BackchannelSessions
	// OnLoginFailure counts refusals; provider is a configured name or "".
	OnLoginFailure func(provider, reason string)
	// OnVerificationFailure is told when a verification the signed-in
	// user started ends without one (refused by the verifier, or its
	// answer refused here): repeated failures raise the user's risk.
	OnVerificationFailure func(ctx context.Context, sessionID, reason string)
	Now                   func() time.Time // default time.Now
	Rand                  io.Reader        // default crypto/rand.Reader
	Logger                *slog.Logger     // default: discard
}

// Handler serves the /.vigil/ sign-in routes.
type Handler struct {
	public        *url.URL
	publicPort    string
	providers     map[string]*Provider
	order         []*Provider
	verifiers     map[string]*Provider
	verifications Verifications
	stepUps       StepUps
	hints         HintMinter
	backchannel   BackchannelSessions
	sessions      SessionCreator
	revoker       SessionRevoker
	ledger        Ledger
	apps          Apps
	hostAllowed   func(string) bool
	onFailure     func(provider, reason string)
	// onVerifyFailure: see Options.OnVerificationFailure; nil ignores.
	onVerifyFailure func(ctx context.Context, sessionID, reason string)
	now             func() time.Time
	rand            io.Reader
	log             *slog.Logger
	codec           *loginCodec
	csrf            *http.CrossOriginProtection
	mux             *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New checks opts and builds the Handler.
func New(opts Options) (*Handler, error) {
	pub, err := url.Parse(strings.TrimSuffix(opts.PublicURL, "/"))
	if err != nil || (pub.Scheme != "https" && pub.Scheme != "http") || pub.Host == "" || pub.Path != "" {
		return nil, errors.New("authn: public URL must be an absolute http(s) URL without a path")
	}
	if opts.Sessions == nil || opts.Revoker == nil || opts.Ledger == nil || opts.Apps == nil || opts.HostAllowed == nil {
		return nil, errors.New("authn: Sessions, Revoker, Ledger, Apps and HostAllowed are required")
	}
	key, err := keys.Derive(opts.Master, keys.PurposeLoginCookie)
	if err != nil {
		return nil, fmt.Errorf("authn: %w", err)
	}
	h := &Handler{
		public: pub, publicPort: pub.Port(), providers: map[string]*Provider{},
		sessions: opts.Sessions, revoker: opts.Revoker, ledger: opts.Ledger, apps: opts.Apps,
		hostAllowed: opts.HostAllowed, onFailure: opts.OnLoginFailure, onVerifyFailure: opts.OnVerificationFailure,
		now: opts.Now, rand: opts.Rand, log: opts.Logger,
		verifiers: map[string]*Provider{}, verifications: opts.Verifications, stepUps: opts.StepUps,
		hints: opts.HintMinter, backchannel: opts.Backchannel,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.rand == nil {
		h.rand = rand.Reader
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.onFailure == nil {
		h.onFailure = func(string, string) {}
	}
	for _, p := range opts.Providers {
		if p == nil || h.providers[p.name] != nil {
			return nil, errors.New("authn: providers must be non-nil with unique names")
		}
		h.providers[p.name] = p
		h.order = append(h.order, p)
	}
	for _, p := range opts.Verifiers {
		if p == nil || p.verifier == nil || h.verifiers[p.name] != nil {
			return nil, errors.New("authn: verifiers must be made by NewVerifier, with unique names")
		}
		if p.verifier.assertionHint && opts.HintMinter == nil {
			return nil, fmt.Errorf("authn: verifier %s sends assertion login hints but no HintMinter is set", p.name)
		}
		h.verifiers[p.name] = p
	}
	if h.codec, err = newLoginCodec(key, h.rand, pub.Scheme == "https"); err != nil {
		return nil, fmt.Errorf("authn: %w", err)
	}
	// Refuses cross-origin browser POSTs (Sec-Fetch-Site, else Origin vs
	// Host); only the logout POST changes state here.
	h.csrf = http.NewCrossOriginProtection()
	h.mux = http.NewServeMux()
	h.mux.Handle("GET "+PathLogin, h.handle(h.login))
	h.mux.Handle("GET "+PathStart, h.handle(h.start))
	h.mux.Handle("GET "+PathCallback, h.handle(h.callback))
	h.mux.Handle("GET "+PathVerify, h.handle(h.verify))
	h.mux.Handle("GET "+PathLogout, h.handle(h.logoutConfirm))
	h.mux.Handle("POST "+PathLogout, h.handle(h.logout))
	h.mux.Handle("GET "+PathSignedOut, h.handle(h.signedOut))
	h.mux.HandleFunc("GET "+PathStyle, serveStyle)
	if h.backchannel != nil {
		// Server to server: no CSRF check and no HTML pages here.
		h.mux.HandleFunc("POST "+PathBackchannelLogout, h.backchannelLogout)
	}
	return h, nil
}

// Ready is nil when every provider's discovery has succeeded.
func (h *Handler) Ready() error {
	var errs []error
	for _, p := range h.order {
		if err := p.Ready(); err != nil {
			errs = append(errs, fmt.Errorf("provider %s: %w", p.name, err))
		}
	}
	for name, p := range h.verifiers {
		if err := p.Ready(); err != nil {
			errs = append(errs, fmt.Errorf("verifier %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// handle adapts an error-returning handler: failures are logged with their
// internal detail, counted, and shown to the user as a reason code.
func (h *Handler) handle(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		err := fn(w, r)
		if err == nil {
			return
		}
		f := asFailure(err)
		level := slog.LevelWarn
		if f.Status >= 500 {
			level = slog.LevelError
		}
		h.log.Log(r.Context(), level, "login refused", "reason", f.Reason, "provider", f.Provider,
			"path", r.URL.Path, "status", f.Status, "err", f.Err)
		h.onFailure(f.Provider, f.Reason)
		h.renderError(w, f)
	})
}

// returnOrRoot validates rd, defaulting to the public root when absent.
func (h *Handler) returnOrRoot(rd string) (string, *url.URL, error) {
	if rd == "" {
		rd = "/"
	}
	safe, err := h.SafeReturn(rd)
	if err != nil {
		return "", nil, fail(ReasonReturnURLInvalid, err)
	}
	u, err := url.Parse(safe)
	if err != nil {
		return "", nil, fail(ReasonReturnURLInvalid, err)
	}
	return safe, h.public.ResolveReference(u), nil
}

// allowedProviders lists the configured providers the app behind rd allows,
// in configuration order.
func (h *Handler) allowedProviders(rd *url.URL) []*Provider {
	names := h.apps.ProvidersFor(rd)
	var out []*Provider
	for _, p := range h.order {
		for _, n := range names {
			if n == p.name {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// login shows the sign-in page, or goes straight to the only provider.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	rd, rdURL, err := h.returnOrRoot(r.URL.Query().Get("rd"))
	if err != nil {
		return err
	}
	ps := h.allowedProviders(rdURL)
	switch len(ps) {
	case 0:
		return fail(ReasonNoProvider, fmt.Errorf("no provider allowed for host %q", rdURL.Host))
	case 1:
		http.Redirect(w, r, startURL(ps[0].name, rd), http.StatusSeeOther)
		return nil
	}
	return h.renderLogin(w, ps, rd)
}

func startURL(provider, rd string) string {
	return PathStart + "?" + url.Values{"provider": {provider}, "rd": {rd}}.Encode()
}

func loginURL(rd string) string {
	if rd == "" {
		return PathLogin
	}
	return PathLogin + "?" + url.Values{"rd": {rd}}.Encode()
}
