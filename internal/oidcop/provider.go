package oidcop

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// maxFormBytes bounds the forms the core parses itself.
const maxFormBytes = 16 << 10

// Provider is a running OpenID Provider. It is an http.Handler serving the
// paths below its issuer URL: /.well-known/openid-configuration, /keys,
// /authorize (and /authorize/callback), /oauth/token, /oauth/introspect,
// /userinfo, /revoke, /end_session; every other path goes to Config.UI.
type Provider struct {
	cfg          Config
	storage      *memStorage
	op           *op.Provider
	handler      http.Handler
	base         string // issuer path, "" or "/x"
	insecure     bool
	callbackPath string
	extras       map[string]any
}

// New builds the provider from cfg, reporting every configuration problem
// at once.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("oidcop: invalid config: %w", err)
	}
	insecure, _ := CheckIssuer(cfg.Issuer) // checked by validate
	cryptoKey := make([]byte, 32)
	if _, err := io.ReadFull(cfg.Rand, cryptoKey); err != nil {
		return nil, fmt.Errorf("oidcop: random: %w", err)
	}
	storage := newMemStorage(cfg)
	p := &Provider{
		cfg: cfg, storage: storage, insecure: insecure,
		base: strings.TrimSuffix(issuerPath(cfg.Issuer), "/"),
	}
	opCfg := &op.Config{
		DefaultLogoutRedirectURI: cfg.LoggedOutURL,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedClaims:          cfg.SupportedClaims,
		SupportedScopes:          cfg.Scopes,
	}
	copy(opCfg.CryptoKey[:], cryptoKey)
	opts := []op.Option{
		// Token and userinfo calls carry bearer tokens or client secrets,
		// never cookies: let browsers call them cross-origin without
		// credentials only.
		op.WithCORSOptions(&cors.Options{
			AllowOriginFunc:  func(string) bool { return true },
			AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost},
			AllowedHeaders:   []string{"Origin", "Accept", "Authorization", "Content-Type"},
			AllowCredentials: false,
		}),
		// Interceptors run inside the op's router, after CORS and with
		// the issuer in the context.
		op.WithHttpInterceptors(
			func(next http.Handler) http.Handler {
				return captureClaims(op.DefaultEndpoints.Authorization.Relative(), next)
			},
			p.discoveryInterceptor,
		),
	}
	if insecure {
		// Plain http only for localhost and loopback (CheckIssuer).
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewOpenIDProvider(cfg.Issuer, opCfg, storage, opts...)
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	p.op = provider
	if provider.AuthorizationEndpoint().Relative() != op.DefaultEndpoints.Authorization.Relative() {
		return nil, errors.New("oidcop: unexpected authorization endpoint")
	}
	p.callbackPath = p.base + provider.AuthorizationEndpoint().Relative() + "/callback"
	if p.extras, err = checkExtras(provider, storage, cfg.DiscoveryExtras); err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}

	mux := http.NewServeMux()
	for _, e := range []*op.Endpoint{
		provider.AuthorizationEndpoint(), provider.TokenEndpoint(), provider.IntrospectionEndpoint(),
		provider.UserinfoEndpoint(), provider.RevocationEndpoint(), provider.KeysEndpoint(),
	} {
		mux.Handle(e.Relative(), provider)
	}
	mux.Handle(oidc.DiscoveryEndpoint, provider)
	mux.Handle(provider.AuthorizationEndpoint().Relative()+"/callback", p.guardCallback(provider))
	mux.Handle(provider.EndSessionEndpoint().Relative(), guardEndSession(provider))
	ui := cfg.UI
	if ui == nil {
		ui = http.NotFoundHandler()
	}
	mux.Handle("/", ui)
	p.handler = mux
	if p.base != "" {
		p.handler = http.StripPrefix(p.base, mux)
	}
	return p, nil
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Path returns the absolute path of rel (e.g. "/login") below the issuer,
// for links, form actions and cookie paths in a UI.
func (p *Provider) Path(rel string) string { return p.base + rel }

// Insecure reports whether the issuer is plain http (loopback only), for
// UIs that set cookies of their own.
func (p *Provider) Insecure() bool { return p.insecure }

// guardCallback lets the op's authorize callback run only in the browser
// the auth request is bound to. A request failed by the Authenticator goes
// back to the relying party with its error.
func (p *Provider) guardCallback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The op reads the ID from the merged query and form: require
		// exactly one, so the ID checked here is the one the op uses.
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil || len(r.Form["id"]) != 1 {
			http.Error(w, "invalid callback request", http.StatusBadRequest)
			return
		}
		id := r.Form.Get("id")
		s := p.storage
		s.mu.Lock()
		pd, ok := s.liveLocked(id)
		var (
			view    requestView
			failure *AuthError
			bound   bool
		)
		if ok {
			view, failure = pd.view, pd.failure
			bound = sameBrowser(pd.browser, presentedBrowser(r, p.cfg.BrowserCookie))
			if bound && failure != nil {
				s.deleteLocked(id)
			}
		}
		s.mu.Unlock()
		switch {
		case !ok:
			http.Error(w, "This sign-in request is unknown or has expired. Go back to the application and sign in again.", http.StatusNotFound)
		case !bound:
			http.Error(w, "This sign-in was started in another browser or your cookies are blocked. Go back to the application and sign in again.", http.StatusForbidden)
		case failure != nil:
			op.AuthRequestError(w, r, view, failure.oidcError(), p.op)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// guardEndSession refuses a post_logout_redirect_uri that cannot be checked:
// the op package only checks it against a client named by client_id or
// id_token_hint and otherwise silently ignores it.
func guardEndSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "invalid end_session request", http.StatusBadRequest)
			return
		}
		if r.Form.Get("post_logout_redirect_uri") != "" && r.Form.Get("client_id") == "" && r.Form.Get("id_token_hint") == "" {
			http.Error(w, "post_logout_redirect_uri requires client_id or id_token_hint", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
