package config

// The YAML file format. Every field documents its default; Load fills the
// defaults in and Validate checks the whole file, reporting every problem
// with its path (e.g. `apps[2].policies[0].include[1].ip`).

// Config is the whole vigil.yaml.
type Config struct {
	Server    Server     `yaml:"server"`
	Session   Session    `yaml:"session"`
	Store     Store      `yaml:"store"`
	Assertion Assertion  `yaml:"assertion"`
	Log       Log        `yaml:"log"`
	Providers []Provider `yaml:"providers"`
	Verifiers []Verifier `yaml:"verifiers"`
	// IDV is the built-in identity-verification provider (optional).
	IDV *IDV `yaml:"idv"`
	// Risk configures continuous assurance (detectors, levels, actions).
	Risk Risk `yaml:"risk"`
	// SSF configures Shared Signals reception and transmission.
	SSF SSF `yaml:"ssf"`
	// Admin configures the admin API.
	Admin Admin `yaml:"admin"`
	Apps  []App `yaml:"apps"`
}

// Server is the listener and the public face of the gateway.
type Server struct {
	// Listen is the gateway's address. Default ":8080".
	Listen string `yaml:"listen"`
	// PublicURL is the gateway's external base URL; the OIDC redirect URI is
	// PublicURL + "/.vigil/callback". Required.
	PublicURL string `yaml:"public_url"`
	// MetricsListen serves /metrics on a separate, private address.
	// Empty disables it. Example "127.0.0.1:9090".
	MetricsListen string `yaml:"metrics_listen"`
	// TrustedProxies are CIDRs of load balancers whose X-Forwarded-For is
	// believed for the client address. Default none: the TCP peer is the client.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// TLS, when both files are set, makes the gateway listen with TLS.
	TLS TLS `yaml:"tls"`
	// ShutdownTimeout bounds graceful shutdown. Default 15s.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
}

// TLS names a certificate and key in PEM files.
type TLS struct {
	// CertFile is the PEM certificate chain, leaf first.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of the certificate.
	KeyFile string `yaml:"key_file"`
}

// Session configures session cookies and lifetimes.
type Session struct {
	// CookieName defaults to "vigil_session", or "__Host-vigil_session" when
	// the public URL is https and no CookieDomain is set.
	CookieName string `yaml:"cookie_name"`
	// CookieDomain lets one session cover several app hosts (e.g.
	// "example.com" for *.example.com). Empty: host-only cookie.
	CookieDomain string `yaml:"cookie_domain"`
	// Secret is the master key (at least 32 bytes) from which cookie and key
	// wrapping keys are derived. Required.
	Secret Secret `yaml:"secret"`
	// AbsoluteTimeout is the longest a session lives. Default 12h.
	AbsoluteTimeout Duration `yaml:"absolute_timeout"`
	// IdleTimeout ends a session unused for this long. Default 1h.
	IdleTimeout Duration `yaml:"idle_timeout"`
}

// Store selects the database.
type Store struct {
	// Driver is "sqlite" (the default: one process, or several on one
	// machine) or "postgres" (many replicas on a shared database).
	Driver string `yaml:"driver"`
	// DSN is the database location: for sqlite a file path (default
	// "vigil.db"), for postgres a connection string
	// (postgres://user@host:5432/db?sslmode=verify-full; the password from
	// the environment, PGPASSWORD, or a .pgpass file).
	DSN string `yaml:"dsn"`
	// MaxStale bounds how long this replica keeps serving its cached
	// sessions while it cannot read the store's change feed (the database
	// is down or unreachable): revocations made meanwhile cannot reach it,
	// so past this bound requests with a session get 503 until the store
	// is back. Default 2m.
	MaxStale Duration `yaml:"max_stale"`
	// FailClosed refuses requests with a session as soon as the change
	// feed cannot be read (a bound of a few seconds), instead of MaxStale.
	FailClosed bool `yaml:"fail_closed"`
	// SharedConfig takes providers, verifiers, idv, risk and apps from
	// the configuration stored in the database (pushed with `vigil config
	// push`), applied on every replica that has it on as soon as it is
	// stored; this file still supplies server, session, store, assertion,
	// log, admin and ssf, and is used whole until a first version is
	// pushed. A stored version that does not apply stops the start.
	// Default false: this file alone (docs/shared-config.md).
	SharedConfig bool `yaml:"shared_config"`
}

// Assertion configures the signed identity JWT given to upstreams.
type Assertion struct {
	// Header carries the JWT to the upstream. Default "X-Vigil-Assertion".
	Header string `yaml:"header"`
	// TTL is each assertion's lifetime. Default 5m.
	TTL Duration `yaml:"ttl"`
	// KeyRotation is how often a new signing key is made. Default 24h.
	KeyRotation Duration `yaml:"key_rotation"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is json (default) or text.
	Format string `yaml:"format"`
	// Audit is where decision audit records go: "stdout" (default, with the
	// logs), "off", or a file path.
	Audit string `yaml:"audit"`
}

// Provider is an OIDC identity provider users sign in with.
type Provider struct {
	// Name is the short identifier used in policies and URLs. Required, [a-z0-9-].
	Name string `yaml:"name"`
	// Title is shown on the sign-in page. Default Name.
	Title string `yaml:"title"`
	// Issuer is the OIDC issuer URL; discovery is read from it. Required.
	Issuer string `yaml:"issuer"`
	// ClientID is Vigil's client at the provider. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecret authenticates Vigil at the token endpoint
	// (client_secret_basic). Required.
	ClientSecret Secret `yaml:"client_secret"`
	// Scopes default to openid, email, profile. "openid" is always added.
	Scopes []string `yaml:"scopes"`
	// Claims maps ID token / userinfo claims onto the identity.
	Claims ClaimMapping `yaml:"claims"`
	// SigningAlgs is the ID token algorithm allow-list. Default RS256, ES256.
	// "none" and HMAC algorithms are never accepted.
	SigningAlgs []string `yaml:"signing_algs"`
	// ClockSkew tolerated for iat/exp. Default 1m, at most 5m.
	ClockSkew Duration `yaml:"clock_skew"`
	// AssumeEmailVerified treats the email as verified when the provider
	// sends no email_verified claim (Microsoft Entra ID, for one). An
	// explicit "false" is always believed. Policies match only verified
	// emails, so leave this off for providers where users choose their own
	// address unchecked.
	AssumeEmailVerified bool `yaml:"assume_email_verified"`
}

// Verifier is an OIDC provider that verifies identities (Vigil's own
// verifier, or a vendor's). Users are sent there after signing in when an
// app's policy needs a verified identity.
type Verifier struct {
	// Name is used by apps' verifier field. Required, [a-z0-9-].
	Name string `yaml:"name"`
	// Issuer is the OIDC issuer URL; discovery is read from it. Required.
	Issuer string `yaml:"issuer"`
	// ClientID is Vigil's client at the verifier. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecret authenticates Vigil at the verifier's token endpoint.
	// Required.
	ClientSecret Secret `yaml:"client_secret"`
	// Scopes default to openid. "openid" is always added.
	Scopes []string `yaml:"scopes"`
	// SigningAlgs is the ID token algorithm allow-list. Default RS256, ES256.
	SigningAlgs []string `yaml:"signing_algs"`
	// ClockSkew tolerated for iat/exp. Default 1m, at most 5m.
	ClockSkew Duration `yaml:"clock_skew"`
	// ACRValues are requested as acr_values, preferred first. Optional.
	ACRValues []string `yaml:"acr_values"`
	// ACRLevels maps an acr value to the NIST assurance level (ial1, ial2,
	// ial3) it stands for; used when the token carries no verified_claims.
	ACRLevels map[string]string `yaml:"acr_levels"`
	// LoginHint is what the gateway sends as login_hint: "email" (default;
	// the user's address, what external vendors expect) or "assertion" (a
	// short-lived Vigil assertion minted for this verifier's issuer, with
	// email and name, so that a Vigil verifier can bind the verified person
	// to the account; it must trust the gateway's keys: idv.gateway_url).
	LoginHint string `yaml:"login_hint"`
	// RequireNameMatch refuses a verification that does not name the
	// account's holder: the verified given and family names (or name),
	// from verified_claims or else from the verifier's ID token's own name
	// claims, must be the signed-in account's name word for word, in any
	// order, accents written as ICAO 9303 writes them (so "Jürgen Müller"
	// matches a verified "JUERGEN MUELLER"). A token without a name, or an
	// account without one, is refused too (verification-name-mismatch).
	// Turn it on for an external verifier that does not itself bind the
	// person to the account; Vigil's own verifier compares the names
	// already (login_hint: assertion). Default off.
	RequireNameMatch bool `yaml:"require_name_match"`
}

// ClaimMapping names the claims that carry email, groups and display name.
type ClaimMapping struct {
	Email  string `yaml:"email"`  // default "email"
	Groups string `yaml:"groups"` // default "groups"
	Name   string `yaml:"name"`   // default "name"
}

// App is one protected upstream.
type App struct {
	// Name identifies the app in policies, logs and the assertion's aud. Required.
	Name string `yaml:"name"`
	// Host the app is served on (no port). Empty matches any host.
	Host string `yaml:"host"`
	// PathPrefix routes requests under it. Default "/". The longest matching
	// prefix on the most specific host wins.
	PathPrefix string `yaml:"path_prefix"`
	// Upstream is the app's base URL (http or https). Required.
	Upstream string `yaml:"upstream"`
	// PreserveHost sends the client's Host header upstream instead of the
	// upstream's.
	PreserveHost bool `yaml:"preserve_host"`
	// Providers allowed to sign in to this app. Default: all.
	Providers []string `yaml:"providers"`
	// Verifier names the verifier users are sent to when the policy needs
	// a verified identity (verified, verified_within selectors). Optional.
	Verifier string `yaml:"verifier"`
	// Policies are evaluated in order; see the policy package. Default deny.
	Policies []Rule `yaml:"policies"`
	// Risk overrides risk.actions for this app.
	Risk *RiskActions `yaml:"risk"`
}

// Rule is one policy in the Cloudflare Access model.
type Rule struct {
	// Name appears in decisions, audit records and the reasons users see.
	// Required, unique within the app.
	Name string `yaml:"name"`
	// Action is allow, deny or bypass (no sign-in at all: public paths).
	Action string `yaml:"action"`
	// Include selectors: the rule applies when any of them matches.
	Include []Selector `yaml:"include"`
	// Require selectors: every one must match as well.
	Require []Selector `yaml:"require"`
	// Exclude selectors: the rule does not apply when any matches.
	Exclude []Selector `yaml:"exclude"`
}

// Selector matches one aspect of a request. Exactly one field is set.
type Selector struct {
	// Everyone matches any signed-in user (anyone at all in a bypass rule).
	Everyone bool `yaml:"everyone,omitempty"`
	// Email matches the user's verified email, case-insensitively.
	Email StringList `yaml:"email,omitempty"`
	// EmailDomain matches the domain of the verified email exactly
	// (subdomains are not covered).
	EmailDomain StringList `yaml:"email_domain,omitempty"`
	// Provider matches the configured name of the provider the user signed
	// in with.
	Provider StringList `yaml:"provider,omitempty"`
	// Group matches any of the user's groups, exactly as the provider
	// sends them.
	Group StringList `yaml:"group,omitempty"`
	// Claim matches a claim of the sign-in's ID token or userinfo.
	Claim *ClaimSelector `yaml:"claim,omitempty"`
	// AMR matches when any listed method (RFC 8176, e.g. hwk, mfa) is
	// among the sign-in's amr.
	AMR StringList `yaml:"amr,omitempty"`
	// IP matches the client address against addresses and CIDRs.
	IP StringList `yaml:"ip,omitempty"`
	// CEL is a Common Expression Language expression that must be true,
	// over user (email, email_verified, sub, provider, name, groups, amr,
	// acr, auth_time, claims, risk, verification) and request (time, ip),
	// e.g. `user.risk == "low" && "admins" in user.groups`. It runs under
	// a cost limit; an error never lets an allow rule match.
	CEL string `yaml:"cel,omitempty"`
	// Verified is a NIST IAL (ial1, ial2, ial3): the user verified their
	// identity at the app's verifier to at least that level.
	Verified string `yaml:"verified,omitempty"`
	// VerifiedWithin is a duration: the verification is at most this old.
	VerifiedWithin Duration `yaml:"verified_within,omitempty"`
	// ACR matches the sign-in's or the verification's acr.
	ACR StringList `yaml:"acr,omitempty"`
	// Risk is the highest risk level allowed: low, medium or high.
	Risk string `yaml:"risk,omitempty"`
}

// ClaimSelector matches when the named claim equals (or, for an array
// claim, contains) any of Values.
type ClaimSelector struct {
	// Name is the claim's name. Required.
	Name string `yaml:"name"`
	// Values are compared exactly with the claim's value or values.
	Values StringList `yaml:"values"`
}
