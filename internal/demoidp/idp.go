package demoidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/vigil-gw/vigil/internal/oidcop"
)

// browserCookie binds each auth request to the browser that first opened
// its login page (see oidcop.Provider.Bind). The name is unusual on
// purpose: cookies ignore ports, and in the quickstart the gateway runs on
// the same host.
const browserCookie = "vigil_demoidp_browser"

// scopeGroups is accepted so that relying parties may ask for it; the
// groups claim is released whatever the scopes.
const scopeGroups = "groups"

// IdP is a running demo OpenID Provider. It is an http.Handler serving the
// paths below its issuer URL: /.well-known/openid-configuration, /keys,
// /authorize, /oauth/token, /userinfo, /end_session, /login, /logged-out.
type IdP struct {
	op    *oidcop.Provider
	users *directory
}

// New builds the provider from cfg. It reports every problem in Users and
// Clients at once.
func New(cfg Config) (*IdP, error) {
	userErr := validateUsers(cfg.Users)
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
	hashKey := make([]byte, 32)
	if _, err := io.ReadFull(random, hashKey); err != nil {
		return nil, fmt.Errorf("demoidp: random: %w", err)
	}
	keys, err := keyRing(cfg.SigningKey, random)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("demoidp: %w", err), userErr)
	}
	users := newDirectory(cfg.Users, hashKey)
	pg, err := newPages()
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	base := ""
	if u, err := url.Parse(cfg.Issuer); err == nil {
		base = strings.TrimSuffix(u.Path, "/")
	}
	ui := &loginUI{
		users: users, usernames: users.usernames(), pages: pg,
		now: now, log: log, formAction: base + "/login",
	}
	provider, err := oidcop.New(oidcop.Config{
		Issuer: cfg.Issuer, Clients: cfg.Clients, Keys: keys,
		Authenticator: ui, Claims: users, UI: ui.routes(),
		Scopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeGroups},
		SupportedClaims: append(slices.Clone(op.DefaultSupportedClaims), "groups"),
		BrowserCookie:   browserCookie,
		Logger:          log, Clock: now, Rand: random,
	})
	if err != nil || userErr != nil {
		return nil, fmt.Errorf("demoidp: %w", errors.Join(userErr, err))
	}
	ui.op = provider // before anything is served
	return &IdP{op: provider, users: users}, nil
}

func (p *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.op.ServeHTTP(w, r) }

// Issuer returns the issuer URL the provider was built with.
func (p *IdP) Issuer() string { return p.op.Issuer() }

// keyRing wraps the configured key, or makes an RSA 2048 key.
func keyRing(s crypto.Signer, random io.Reader) (*oidcop.KeyRing, error) {
	if s == nil {
		k, err := rsa.GenerateKey(random, 2048)
		if err != nil {
			return nil, fmt.Errorf("generate signing key: %w", err)
		}
		s = k
	}
	key, err := oidcop.NewSigningKey(s)
	if err != nil {
		return nil, err
	}
	return oidcop.NewKeyRing(key)
}
