package demoidp

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// IdP is a running demo OpenID Provider. It is an http.Handler serving the
// paths below its issuer URL: /.well-known/openid-configuration, /keys,
// /authorize, /oauth/token, /userinfo, /end_session, /login.
type IdP struct {
	issuer  string
	handler http.Handler
	storage *memStorage
}

// New builds the provider from cfg. It reports every problem in Users and
// Clients at once.
func New(cfg Config) (*IdP, error) {
	insecure, err := issuerInsecure(cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	if err := validate(cfg.Users, cfg.Clients); err != nil {
		return nil, fmt.Errorf("demoidp: invalid config: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Clock
	if now == nil {
		now = time.Now
	}
	random := cfg.Rand
	if random == nil {
		random = rand.Reader
	}
	key, err := newSigningKey(cfg.SigningKey, random)
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	secrets := make([]byte, 64) // 32 for password hashing, 32 for access tokens
	if _, err := io.ReadFull(random, secrets); err != nil {
		return nil, fmt.Errorf("demoidp: random: %w", err)
	}
	base := strings.TrimSuffix(issuerPath(cfg.Issuer), "/")
	users := newDirectory(cfg.Users, secrets[:32])
	clients := make(map[string]*client, len(cfg.Clients))
	for _, c := range cfg.Clients {
		clients[c.ID] = newClient(c, base+"/login")
	}
	storage := newMemStorage(now, random, key, users, clients)

	opCfg := &op.Config{
		DefaultLogoutRedirectURI: cfg.Issuer + "/logged-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), "groups"),
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeGroups},
	}
	copy(opCfg.CryptoKey[:], secrets[32:])
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
	}
	if insecure {
		// Plain http only for localhost and loopback (checked by
		// issuerInsecure): the quickstart has no certificates.
		opts = append(opts, op.WithAllowInsecure())
	}
	provider, err := op.NewOpenIDProvider(cfg.Issuer, opCfg, storage, opts...)
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	pg, err := newPages()
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	ui := &loginUI{
		store: storage, users: users, usernames: users.usernames(), pages: pg,
		now: now, random: random, log: log,
		formAction:   base + "/login",
		callbackPath: base + provider.AuthorizationEndpoint().Relative() + "/callback",
		cookiePath:   base + "/",
		cookieSecure: !insecure,
	}

	mux := http.NewServeMux()
	mux.Handle("GET /login", ui.handle(ui.showForm))
	mux.Handle("POST /login", http.NewCrossOriginProtection().Handler(ui.handle(ui.submit)))
	mux.Handle(provider.AuthorizationEndpoint().Relative()+"/callback", ui.guardCallback(provider))
	mux.Handle(provider.EndSessionEndpoint().Relative(), guardEndSession(provider))
	mux.Handle("GET /logged-out", ui.handle(ui.loggedOut))
	mux.Handle("/", provider)
	var h http.Handler = mux
	if base != "" {
		h = http.StripPrefix(base, mux)
	}
	return &IdP{issuer: cfg.Issuer, handler: h, storage: storage}, nil
}

func (p *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// Issuer returns the issuer URL the provider was built with.
func (p *IdP) Issuer() string { return p.issuer }

func issuerPath(issuer string) string {
	u, err := url.Parse(issuer) // already validated by issuerInsecure
	if err != nil {
		return ""
	}
	return u.Path
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
