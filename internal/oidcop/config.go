package oidcop

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a Provider. Issuer, Clients, Keys, Authenticator and
// Claims are required; the rest have defaults.
type Config struct {
	// Issuer is the issuer URL, e.g. https://id.example.com/verify. It must
	// be https, except that plain http is accepted for localhost and
	// loopback addresses (see CheckIssuer).
	Issuer  string
	Clients []Client
	Keys    KeySource
	// Authenticator is the login UI; Claims supplies token and userinfo
	// claims.
	Authenticator Authenticator
	Claims        ClaimsSource
	// UI serves every path below the issuer that is not an OP endpoint
	// (the login pages, LoggedOutURL), with the issuer path stripped. Nil
	// answers 404 there.
	UI http.Handler
	// Scopes are the scopes_supported in discovery. Clients may request any
	// of them besides openid, profile, email, phone and address. Default:
	// openid, profile, email.
	Scopes []string
	// SupportedClaims are the claims_supported in discovery. Default: the
	// op package's list.
	SupportedClaims []string
	// DiscoveryExtras are added to /.well-known/openid-configuration, e.g.
	// claims_parameter_supported, acr_values_supported or
	// trust_frameworks_supported. A key the op package already sets (issuer,
	// jwks_uri, ...) is refused at New.
	DiscoveryExtras map[string]any
	// BrowserCookie names the cookie that binds auth requests to a browser.
	// Cookies ignore ports, so give each provider on a host its own name.
	// Default: vigil_op_browser.
	BrowserCookie string
	// LoggedOutURL is where end_session sends the browser when no
	// post_logout_redirect_uri is given. Default: Issuer + "/logged-out",
	// which UI must then serve.
	LoggedOutURL string
	// Lifetimes; defaults: request 10m, code 1m, access token 5m, ID token 10m.
	RequestLifetime     time.Duration
	CodeLifetime        time.Duration
	AccessTokenLifetime time.Duration
	IDTokenLifetime     time.Duration
	// MaxPending and MaxTokens bound the auth requests and access tokens
	// held in memory, so nobody can make the provider grow without limit.
	// Default 10000 each.
	MaxPending int
	MaxTokens  int
	// Logger receives the provider's own log lines. The zitadel op package
	// logs protocol errors through slog's default logger.
	Logger *slog.Logger
	// Clock gives the time for auth_time checks and expiry of requests,
	// codes and access tokens. ID token iat/exp come from the op package's
	// real clock.
	Clock func() time.Time
	// Rand is the source of identifiers, cookie values and the token
	// encryption key.
	Rand io.Reader
}

// Client is a registered relying party. A client with a Secret is
// confidential (client_secret_basic or client_secret_post, PKCE optional);
// without one it is public and must use PKCE with S256.
type Client struct {
	ID                     string
	Secret                 string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
}

const (
	defaultRequestLifetime = 10 * time.Minute
	defaultCodeLifetime    = time.Minute
	defaultAccessLifetime  = 5 * time.Minute
	defaultIDTokenLifetime = 10 * time.Minute
	defaultMax             = 10000
	defaultBrowserCookie   = "vigil_op_browser"
)

// withDefaults fills the optional fields of a copy of c.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.BrowserCookie == "" {
		c.BrowserCookie = defaultBrowserCookie
	}
	if c.LoggedOutURL == "" {
		c.LoggedOutURL = c.Issuer + "/logged-out"
	}
	if len(c.Scopes) == 0 {
		c.Scopes = []string{"openid", "profile", "email"}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.RequestLifetime, defaultRequestLifetime)
	def(&c.CodeLifetime, defaultCodeLifetime)
	def(&c.AccessTokenLifetime, defaultAccessLifetime)
	def(&c.IDTokenLifetime, defaultIDTokenLifetime)
	if c.MaxPending <= 0 {
		c.MaxPending = defaultMax
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = defaultMax
	}
	return c
}

// validate reports every problem with the required fields at once.
func (c Config) validate() error {
	var errs []error
	if _, err := CheckIssuer(c.Issuer); err != nil {
		errs = append(errs, err)
	}
	if c.Keys == nil {
		errs = append(errs, errors.New("keys are required"))
	}
	if c.Authenticator == nil {
		errs = append(errs, errors.New("an authenticator is required"))
	}
	if c.Claims == nil {
		errs = append(errs, errors.New("a claims source is required"))
	}
	if _, err := url.Parse(c.LoggedOutURL); c.LoggedOutURL != "" && err != nil {
		errs = append(errs, fmt.Errorf("logged-out URL %q is not a URL", c.LoggedOutURL))
	}
	errs = append(errs, validateClients(c.Clients))
	return errors.Join(errs...)
}

// CheckIssuer validates an issuer URL and reports whether it is plain http,
// which the op package only accepts with WithAllowInsecure. Plain http is
// allowed for localhost and loopback addresses only: a quickstart runs
// everything on one machine without certificates, and nothing else should
// ever send tokens over plain http.
func CheckIssuer(issuer string) (insecure bool, err error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return false, fmt.Errorf("issuer %q is not an absolute URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return false, fmt.Errorf("issuer %q must not have a query, fragment or user info", issuer)
	}
	if strings.HasSuffix(u.Path, "/") {
		return false, fmt.Errorf("issuer %q must not end with a slash", issuer)
	}
	switch u.Scheme {
	case "https":
		return false, nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return true, nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return true, nil
		}
		return false, fmt.Errorf("issuer %q: plain http is only allowed for localhost or loopback addresses", issuer)
	default:
		return false, fmt.Errorf("issuer %q must use https", issuer)
	}
}

func validateClients(clients []Client) error {
	var errs []error
	if len(clients) == 0 {
		errs = append(errs, errors.New("at least one client is required"))
	}
	ids := map[string]bool{}
	for i, c := range clients {
		if c.ID == "" || strings.ContainsAny(c.ID, ":") {
			errs = append(errs, fmt.Errorf("clients[%d]: id is required and must not contain ':'", i))
		} else if ids[c.ID] {
			errs = append(errs, fmt.Errorf("clients[%d]: duplicate id %q", i, c.ID))
		}
		ids[c.ID] = true
		if len(c.RedirectURIs) == 0 {
			errs = append(errs, fmt.Errorf("clients[%d]: at least one redirect URI is required", i))
		}
		for _, raw := range append(append([]string{}, c.RedirectURIs...), c.PostLogoutRedirectURIs...) {
			if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				errs = append(errs, fmt.Errorf("clients[%d]: %q is not an absolute http(s) URL without fragment", i, raw))
			}
		}
	}
	return errors.Join(errs...)
}

func issuerPath(issuer string) string {
	u, err := url.Parse(issuer) // already validated by CheckIssuer
	if err != nil {
		return ""
	}
	return u.Path
}
