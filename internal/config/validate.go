package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/keys"
)

// problems collects validation errors, each with the path of the field.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	headerRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	cookieRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	hostRE   = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
	allowAlg = map[string]bool{"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true, "ES256": true, "ES384": true, "ES512": true, "EdDSA": true}
)

// Validate checks the whole configuration and returns every problem, joined.
// Deep policy checks (CEL, selectors) are done when policies are compiled;
// see server.Build, which `vigil config check` runs too.
func (c *Config) Validate() error {
	var p problems
	c.validateServer(&p)
	c.validateSession(&p)
	c.validateStore(&p)
	c.validateAssertion(&p)
	c.validateLog(&p)
	providers := c.validateProviders(&p)
	verifiers := c.validateVerifiers(&p)
	c.validateApps(&p, providers)
	c.validateAppVerifiers(&p, verifiers)
	apps := map[string]bool{}
	for _, a := range c.Apps {
		apps[a.Name] = true
	}
	c.validateIDV(&p, apps)
	c.validateRisk(&p)
	c.validateSSF(&p)
	c.validateAdmin(&p)
	return errors.Join(p...)
}

func (c *Config) validateServer(p *problems) {
	s := c.Server
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		p.add("server.listen", "want host:port such as \":8080\", got %q", s.Listen)
	}
	if s.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(s.MetricsListen); err != nil {
			p.add("server.metrics_listen", "want host:port such as \"127.0.0.1:9090\", got %q", s.MetricsListen)
		}
	}
	if s.PublicURL == "" {
		p.add("server.public_url", "required: the gateway's external URL, e.g. https://vigil.example.com")
	} else if u, err := url.Parse(s.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.add("server.public_url", "want an absolute http(s) URL, got %q", s.PublicURL)
	} else if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		p.add("server.public_url", "must be a bare origin (scheme, host, port) without path, query or user info")
	}
	for i, cidr := range s.TrustedProxies {
		if _, err := parsePrefix(cidr); err != nil {
			p.add(fmt.Sprintf("server.trusted_proxies[%d]", i), "%v", err)
		}
	}
	if (s.TLS.CertFile == "") != (s.TLS.KeyFile == "") {
		p.add("server.tls", "set both cert_file and key_file, or neither")
	}
	if s.ShutdownTimeout.D() < 0 {
		p.add("server.shutdown_timeout", "must not be negative")
	}
}

func (c *Config) validateSession(p *problems) {
	s := c.Session
	if s.Secret.IsZero() {
		p.add("session.secret", "required: a master secret of at least %d bytes, e.g. {env: VIGIL_SECRET} or {file: /etc/vigil/secret}", keys.MinSecretLen)
	} else if v, err := s.Secret.Resolve(); err != nil {
		p.add("session.secret", "%v", err)
	} else if len(v) < keys.MinSecretLen {
		p.add("session.secret", "is %d bytes; at least %d are required (try: openssl rand -base64 48)", len(v), keys.MinSecretLen)
	}
	if !cookieRE.MatchString(s.CookieName) {
		p.add("session.cookie_name", "%q is not a valid cookie name", s.CookieName)
	}
	if strings.HasPrefix(s.CookieName, "__Host-") && (s.CookieDomain != "" || !strings.HasPrefix(c.Server.PublicURL, "https://")) {
		p.add("session.cookie_name", "a __Host- cookie needs an https public_url and no cookie_domain")
	}
	if s.CookieDomain != "" && !hostRE.MatchString(s.CookieDomain) {
		p.add("session.cookie_domain", "%q is not a domain name", s.CookieDomain)
	}
	if s.CookieDomain != "" {
		if u, err := url.Parse(c.Server.PublicURL); err == nil && u.Hostname() != "" && !domainCovers(s.CookieDomain, u.Hostname()) {
			p.add("session.cookie_domain", "%q does not cover the public URL's host %q", s.CookieDomain, u.Hostname())
		}
	}
	if s.AbsoluteTimeout.D() < time.Minute {
		p.add("session.absolute_timeout", "must be at least 1m")
	}
	if s.IdleTimeout.D() < time.Minute {
		p.add("session.idle_timeout", "must be at least 1m")
	} else if s.IdleTimeout > s.AbsoluteTimeout {
		p.add("session.idle_timeout", "is longer than absolute_timeout (%s)", s.AbsoluteTimeout.D())
	}
}

func (c *Config) validateStore(p *problems) {
	switch c.Store.Driver {
	case "sqlite":
		if c.Store.DSN == "" {
			p.add("store.dsn", "required: a database file path")
		}
	case "postgres":
		if !strings.HasPrefix(c.Store.DSN, "postgres://") && !strings.HasPrefix(c.Store.DSN, "postgresql://") && !strings.Contains(c.Store.DSN, "=") {
			p.add("store.dsn", "want a PostgreSQL connection string, e.g. postgres://vigil@db.internal:5432/vigil?sslmode=verify-full")
		}
	default:
		p.add("store.driver", "unknown driver %q; supported: sqlite, postgres", c.Store.Driver)
	}
	if c.Store.MaxStale.D() < 5*time.Second {
		p.add("store.max_stale", "must be at least 5s (the change feed is read every second); for no grace at all set fail_closed: true")
	}
}

func (c *Config) validateAssertion(p *problems) {
	a := c.Assertion
	if !headerRE.MatchString(a.Header) {
		p.add("assertion.header", "%q is not a valid header name", a.Header)
	}
	if a.TTL.D() < 30*time.Second || a.TTL.D() > time.Hour {
		p.add("assertion.ttl", "must be between 30s and 1h, got %s", a.TTL.D())
	}
	if a.KeyRotation.D() < time.Hour {
		p.add("assertion.key_rotation", "must be at least 1h, got %s", a.KeyRotation.D())
	}
}

func (c *Config) validateLog(p *problems) {
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		p.add("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		p.add("log.format", "want json or text, got %q", c.Log.Format)
	}
	if c.Log.Audit == "" {
		p.add("log.audit", "want stdout, off or a file path")
	}
}

func (c *Config) validateProviders(p *problems) map[string]bool {
	names := map[string]bool{}
	for i, pr := range c.Providers {
		path := fmt.Sprintf("providers[%d]", i)
		if !nameRE.MatchString(pr.Name) {
			p.add(path+".name", "want lower-case letters, digits and dashes, got %q", pr.Name)
		} else if names[pr.Name] {
			p.add(path+".name", "%q is defined twice", pr.Name)
		}
		names[pr.Name] = true
		if err := checkIssuer(pr.Issuer); err != nil {
			p.add(path+".issuer", "%v", err)
		}
		if pr.ClientID == "" {
			p.add(path+".client_id", "required")
		}
		if !pr.ClientSecret.IsZero() {
			if _, err := pr.ClientSecret.Resolve(); err != nil {
				p.add(path+".client_secret", "%v", err)
			}
		}
		for j, alg := range pr.SigningAlgs {
			if !allowAlg[alg] {
				p.add(fmt.Sprintf("%s.signing_algs[%d]", path, j), "%q is not allowed; use asymmetric algorithms (RS256, ES256, PS256, EdDSA, ...)", alg)
			}
		}
		if pr.ClockSkew.D() < 0 || pr.ClockSkew.D() > 5*time.Minute {
			p.add(path+".clock_skew", "must be between 0 and 5m")
		}
	}
	return names
}

func (c *Config) validateApps(p *problems, providers map[string]bool) {
	if len(c.Apps) == 0 {
		p.add("apps", "no apps configured: add at least one app with a name, upstream and policies")
	}
	names := map[string]bool{}
	routes := map[string]string{}
	for i, a := range c.Apps {
		path := fmt.Sprintf("apps[%d]", i)
		if !nameRE.MatchString(a.Name) {
			p.add(path+".name", "want lower-case letters, digits and dashes, got %q", a.Name)
		} else if names[a.Name] {
			p.add(path+".name", "%q is defined twice", a.Name)
		}
		names[a.Name] = true
		if a.Host != "" && !hostRE.MatchString(a.Host) {
			p.add(path+".host", "want a host name without scheme or port, got %q", a.Host)
		}
		if a.Host != "" && c.Session.CookieDomain != "" && !domainCovers(c.Session.CookieDomain, a.Host) {
			p.add(path+".host", "%q is outside session.cookie_domain %q, so its users could never carry a session", a.Host, c.Session.CookieDomain)
		}
		if a.Host != "" && c.Session.CookieDomain == "" {
			if u, err := url.Parse(c.Server.PublicURL); err == nil && u.Hostname() != "" && u.Hostname() != a.Host {
				p.add(path+".host", "%q differs from the public URL's host %q: set session.cookie_domain to a domain covering both", a.Host, u.Hostname())
			}
		}
		if !strings.HasPrefix(a.PathPrefix, "/") {
			p.add(path+".path_prefix", "must start with /, got %q", a.PathPrefix)
		} else if strings.Contains(a.PathPrefix, "//") || strings.Contains(a.PathPrefix, "/./") || strings.Contains(a.PathPrefix, "/../") ||
			strings.HasSuffix(a.PathPrefix, "/.") || strings.HasSuffix(a.PathPrefix, "/..") || strings.ContainsAny(a.PathPrefix, "\\;%?#") {
			p.add(path+".path_prefix", "%q is not a plain path: no //, . or .. segments, backslashes, ;, %%, ? or #", a.PathPrefix)
		} else if strings.HasPrefix(a.PathPrefix, "/.vigil") || strings.HasPrefix(a.PathPrefix, "/.well-known/vigil") {
			p.add(path+".path_prefix", "%q is reserved for the gateway", a.PathPrefix)
		}
		key := a.Host + a.PathPrefix
		if prev, ok := routes[key]; ok {
			p.add(path+".path_prefix", "host %q and prefix %q are already routed to app %q", a.Host, a.PathPrefix, prev)
		}
		routes[key] = a.Name
		if u, err := url.Parse(a.Upstream); a.Upstream == "" {
			p.add(path+".upstream", "required: the app's base URL, e.g. http://127.0.0.1:3000")
		} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add(path+".upstream", "want an absolute http(s) URL, got %q", a.Upstream)
		} else if u.User != nil {
			p.add(path+".upstream", "must not carry user info")
		}
		for j, name := range a.Providers {
			if !providers[name] {
				p.add(fmt.Sprintf("%s.providers[%d]", path, j), "unknown provider %q", name)
			}
		}
		if len(a.Policies) == 0 {
			p.add(path+".policies", "no policies: every request would be denied; add at least one rule")
		}
		for j, r := range a.Policies {
			switch r.Action {
			case "allow", "deny", "bypass":
			default:
				p.add(fmt.Sprintf("%s.policies[%d].action", path, j), "want allow, deny or bypass, got %q", r.Action)
			}
			if r.Action != "bypass" && len(c.Providers) == 0 {
				p.add(fmt.Sprintf("%s.policies[%d]", path, j), "needs signed-in users but no providers are configured")
			}
		}
	}
}

// ValidateVerifier checks what `vigil verifier` uses: the idv section
// (required), the session secret its keys derive from, the store and logs.
func (c *Config) ValidateVerifier() error {
	var p problems
	if c.IDV == nil {
		p.add("idv", "required: `vigil verifier` runs the built-in verification provider configured there")
	}
	c.validateSession(&p)
	c.validateStore(&p)
	c.validateLog(&p)
	if c.IDV != nil && c.IDV.Review.Listen != "" {
		c.validateServer(&p) // the review UI checks assertions from the gateway at public_url
	}
	c.validateIDV(&p, nil) // the review app lives in the gateway's file
	return errors.Join(p...)
}

// checkIssuer allows plain http only for loopback development issuers.
func checkIssuer(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("required: the provider's issuer URL")
	case err != nil || u.Host == "":
		return fmt.Errorf("want an absolute URL, got %q", s)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("must use https (plain http is allowed only for localhost), got %q", s)
	}
	return fmt.Errorf("want an https URL, got %q", s)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// domainCovers reports whether a cookie for domain is sent to host.
func domainCovers(domain, host string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR", s)
		}
		return pfx.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR", s)
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// ParsePrefix parses an address or CIDR as config accepts it.
func ParsePrefix(s string) (netip.Prefix, error) { return parsePrefix(s) }
