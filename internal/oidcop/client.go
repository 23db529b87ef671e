package oidcop

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// client adapts a configured Client to op.Client. It is immutable; the
// secret is kept only as a hash.
type client struct {
	cfg        Client
	secretHash [sha256.Size]byte
	scopes     []string
	idLifetime time.Duration
	loginURL   func(id string) string
}

var _ op.Client = (*client)(nil)

func newClient(c Client, scopes []string, idLifetime time.Duration, loginURL func(string) string) *client {
	out := &client{cfg: c, scopes: scopes, idLifetime: idLifetime, loginURL: loginURL}
	out.cfg.Secret = ""
	out.cfg.RedirectURIs = slices.Clone(c.RedirectURIs)
	out.cfg.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	if c.Secret != "" {
		out.secretHash = sha256.Sum256([]byte(c.Secret))
	}
	return out
}

func (c *client) confidential() bool { return c.secretHash != [sha256.Size]byte{} }

// secretMatches compares hashes so that the comparison is constant time
// whatever the length of the presented secret.
func (c *client) secretMatches(secret string) bool {
	if !c.confidential() {
		return false
	}
	got := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], c.secretHash[:]) == 1
}

func (c *client) GetID() string                    { return c.cfg.ID }
func (c *client) RedirectURIs() []string           { return c.cfg.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.cfg.PostLogoutRedirectURIs }

// ApplicationType: confidential clients are "web"; public ones "user_agent"
// (not "native", whose loopback redirects match on any port: we want exact
// matching).
func (c *client) ApplicationType() op.ApplicationType {
	if c.confidential() {
		return op.ApplicationTypeWeb
	}
	return op.ApplicationTypeUserAgent
}

// AuthMethod: the op accepts the secret from either the Authorization header
// or the form for a basic client, so basic covers client_secret_post too.
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.confidential() {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethodNone
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }

// LoginURL is where the op sends the browser after storing a request: the
// URL the Authenticator returned from Begin.
func (c *client) LoginURL(id string) string { return c.loginURL(id) }

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return c.idLifetime }

// DevMode lets a public client use the http redirect URIs it registered
// (a quickstart runs on http://localhost). Matching stays exact: the op
// checks the registered list before it looks at DevMode.
func (c *client) DevMode() bool { return !c.confidential() }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) IsScopeAllowed(scope string) bool { return slices.Contains(c.scopes, scope) }

// IDTokenUserinfoClaimsAssertion puts the claims in the ID token even
// though an access token is issued: Vigil reads the ID token only.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
