package authn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-gw/vigil/internal/config"
)

// Discovery timing: a provider that is down is retried on demand, at most
// once per discoveryRetry, so a dead IdP is not hammered by every login.
const (
	discoveryTimeout = 10 * time.Second
	discoveryRetry   = 5 * time.Second
	maxClockSkew     = 5 * time.Minute
)

// allowedAlgs are the asymmetric algorithms an allow-list may name. "none"
// and HMAC are absent on purpose: an HMAC key would be the client secret or,
// worse, a public key an attacker knows.
var allowedAlgs = map[string]bool{
	oidc.RS256: true, oidc.RS384: true, oidc.RS512: true,
	oidc.ES256: true, oidc.ES384: true, oidc.ES512: true,
	oidc.PS256: true, oidc.PS384: true, oidc.PS512: true,
	oidc.EdDSA: true,
}

// ProviderOptions are a provider's injected dependencies.
type ProviderOptions struct {
	// HTTPClient makes every call to the provider (discovery, JWKS, token,
	// userinfo). Default: a client with a 10s timeout.
	HTTPClient *http.Client
	// Now is the clock for token checks. Default time.Now.
	Now func() time.Time
	// Logger receives discovery problems. Default: discard.
	Logger *slog.Logger
}

// Provider is one configured OIDC identity provider. Discovery happens in
// NewProvider and, if the provider was down, again on first use.
type Provider struct {
	name, title  string
	issuer       string
	clientID     string
	clientSecret string
	scopes       []string
	algs         []string
	skew         time.Duration
	claims       config.ClaimMapping
	// assumeEmailVerified: see config.Provider.AssumeEmailVerified.
	assumeEmailVerified bool
	// verifier is set for identity verifiers (see NewVerifier).
	verifier *verifierConf

	client *http.Client
	now    func() time.Time
	log    *slog.Logger

	disc    atomic.Pointer[discovered]
	mu      sync.Mutex // serializes discovery attempts
	lastTry time.Time
	lastErr error
}

// discovered is what the provider's discovery document told us.
type discovered struct {
	endpoint    oauth2.Endpoint
	userinfo    string
	endSession  string
	jwksURL     string
	oidc        *oidc.Provider
	keys        *oidc.RemoteKeySet
	verifier    *oidc.IDTokenVerifier
	providerCtx context.Context // carries the HTTP client for go-oidc and oauth2
}

// NewProvider checks cfg and tries discovery. Configuration errors are
// returned; an unreachable provider is not an error (the gateway must
// start without it): Ready reports it and the next login retries.
func NewProvider(ctx context.Context, cfg config.Provider, opts ProviderOptions) (*Provider, error) {
	p := &Provider{
		name: cfg.Name, title: cfg.Title, issuer: cfg.Issuer, clientID: cfg.ClientID,
		claims: cfg.Claims, client: opts.HTTPClient, now: opts.Now, log: opts.Logger,
	}
	if p.name == "" || p.issuer == "" || p.clientID == "" {
		return nil, errors.New("provider needs name, issuer and client_id")
	}
	if u, err := url.Parse(p.issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("provider %s: issuer must be an absolute http(s) URL", p.name)
	}
	if p.title == "" {
		p.title = p.name
	}
	if !cfg.ClientSecret.IsZero() {
		s, err := cfg.ClientSecret.Resolve()
		if err != nil {
			return nil, fmt.Errorf("provider %s: client_secret: %w", p.name, err)
		}
		p.clientSecret = s
	}
	p.scopes = []string{oidc.ScopeOpenID}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	for _, s := range scopes {
		if !slices.Contains(p.scopes, s) {
			p.scopes = append(p.scopes, s)
		}
	}
	p.algs = cfg.SigningAlgs
	if len(p.algs) == 0 {
		p.algs = []string{oidc.RS256, oidc.ES256}
	}
	for _, a := range p.algs {
		if !allowedAlgs[a] {
			return nil, fmt.Errorf("provider %s: signing algorithm %q is not allowed", p.name, a)
		}
	}
	p.assumeEmailVerified = cfg.AssumeEmailVerified
	p.skew = cfg.ClockSkew.D()
	switch {
	case p.skew == 0:
		p.skew = time.Minute
	case p.skew < 0 || p.skew > maxClockSkew:
		return nil, fmt.Errorf("provider %s: clock_skew must be between 0 and %s", p.name, maxClockSkew)
	}
	p.claims = withClaimDefaults(cfg.Claims)
	if p.client == nil {
		p.client = &http.Client{Timeout: discoveryTimeout}
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if _, err := p.discover(ctx); err != nil {
		p.log.Warn("provider discovery failed; will retry on first login", "provider", p.name, "err", err)
	}
	return p, nil
}

// Name is the configured provider name.
func (p *Provider) Name() string { return p.name }

// Title is the name shown on the sign-in page.
func (p *Provider) Title() string { return p.title }

// Ready is nil once discovery has succeeded, else the last discovery error.
// Probe retries discovery if it has not succeeded yet (at most every few
// seconds) and reports readiness: a provider that was down at start, or a
// verifier served by this same process, becomes ready without a login.
func (p *Provider) Probe(ctx context.Context) error {
	_, err := p.discover(ctx)
	return err
}

func (p *Provider) Ready() error {
	if p.disc.Load() != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastErr == nil {
		return errors.New("discovery not attempted")
	}
	return p.lastErr
}

// discover returns the discovery result, fetching it if needed.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	if d := p.disc.Load(); d != nil {
		return d, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := p.disc.Load(); d != nil {
		return d, nil
	}
	if err := ctx.Err(); err != nil {
		// Not an attempt: a caller that cannot wait (see server's
		// self-hosted verifier) must not delay the next real one.
		if p.lastErr == nil {
			p.lastErr = fmt.Errorf("discovery deferred: %w", err)
		}
		return nil, p.lastErr
	}
	now := p.now()
	if !p.lastTry.IsZero() && now.Sub(p.lastTry) < discoveryRetry && now.After(p.lastTry) {
		return nil, p.lastErr
	}
	p.lastTry = now
	d, err := p.fetchDiscovery(ctx)
	if err != nil {
		p.lastErr = err
		return nil, err
	}
	p.lastErr = nil
	p.disc.Store(d)
	p.log.Info("provider discovered", "provider", p.name, "issuer", p.issuer)
	return d, nil
}

func (p *Provider) fetchDiscovery(ctx context.Context) (*discovered, error) {
	// The provider context only carries the HTTP client (go-oidc and oauth2
	// read it from there); request deadlines come from each call's ctx.
	pctx := oidc.ClientContext(context.Background(), p.client)
	rctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.client), discoveryTimeout)
	defer cancel()
	op, err := oidc.NewProvider(rctx, p.issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var meta struct {
		JWKSURL     string   `json:"jwks_uri"`
		EndSession  string   `json:"end_session_endpoint"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	ep := op.Endpoint()
	// client_secret_basic is the default (OIDC Discovery); auto-detection
	// would replay the code on failure, so the style is chosen up front.
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if p.clientSecret == "" || len(meta.AuthMethods) > 0 &&
		!slices.Contains(meta.AuthMethods, "client_secret_basic") && slices.Contains(meta.AuthMethods, "client_secret_post") {
		ep.AuthStyle = oauth2.AuthStyleInParams // public client, or client_secret_post only
	}
	for _, e := range []struct{ name, url string }{
		{"authorization_endpoint", ep.AuthURL}, {"token_endpoint", ep.TokenURL}, {"jwks_uri", meta.JWKSURL},
		{"userinfo_endpoint", op.UserInfoEndpoint()}, {"end_session_endpoint", meta.EndSession},
	} {
		if err := p.checkEndpoint(e.url, e.name == "userinfo_endpoint" || e.name == "end_session_endpoint"); err != nil {
			return nil, fmt.Errorf("discovery: %s: %w", e.name, err)
		}
	}
	keys := oidc.NewRemoteKeySet(pctx, meta.JWKSURL)
	verifier := oidc.NewVerifier(p.issuer, keys, &oidc.Config{
		ClientID:             p.clientID,
		SupportedSigningAlgs: p.algs,
		// go-oidc has no leeway on exp; shifting its clock back by the
		// skew gives the same tolerance our own checks apply.
		Now: func() time.Time { return p.now().Add(-p.skew) },
	})
	return &discovered{
		endpoint: ep, userinfo: op.UserInfoEndpoint(), endSession: meta.EndSession, jwksURL: meta.JWKSURL,
		oidc: op, keys: keys, verifier: verifier, providerCtx: pctx,
	}, nil
}

// checkEndpoint refuses endpoints that would downgrade an https issuer.
func (p *Provider) checkEndpoint(raw string, optional bool) error {
	if raw == "" {
		if optional {
			return nil
		}
		return errors.New("missing")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("not an absolute URL")
	}
	if u.Scheme != "https" && (u.Scheme != "http" || strings.HasPrefix(p.issuer, "https:")) {
		return errors.New("must be https")
	}
	return nil
}

// oauth2Config is the client configuration for one redirect URI.
func (p *Provider) oauth2Config(d *discovered, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.clientID, ClientSecret: p.clientSecret, Endpoint: d.endpoint,
		RedirectURL: redirectURL, Scopes: p.scopes,
	}
}
