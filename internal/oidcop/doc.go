// Package oidcop is the protocol core shared by Vigil's OpenID Providers
// (the demo provider in internal/demoidp and the identity-verification
// provider): it builds a zitadel/oidc op.Provider for one issuer and owns
// everything that does not depend on how a user is authenticated.
//
// It owns: issuer checks (https, or plain http for loopback only),
// discovery (with extra metadata such as trust_frameworks_supported),
// signing keys (RS256/ES256, rotated behind KeySource), the bounded
// in-memory storage of auth requests, codes and access tokens, client
// authentication, PKCE policy, the `claims` request parameter,
// end_session, and the binding of each auth request to the browser that
// started it.
//
// What differs between providers plugs in through two interfaces the
// embedding package implements: an Authenticator (the login UI: the core
// sends the browser there, the UI later calls Provider.Complete or
// Provider.Fail) and a ClaimsSource (the claims put in ID tokens and
// userinfo responses).
//
// It must never keep sessions across authorizations (every authorization
// runs the Authenticator again), never accept plain http for a non-loopback
// issuer, never hand a code to a browser other than the one the request is
// bound to, and never log tokens, codes, client secrets or cookies.
//
// Known gap: zitadel/oidc v3.52 logs protocol errors (e.g. invalid_client)
// through slog.Default rather than the configured logger (its WithLogger
// option has no effect). Those lines carry no secrets; routing them through
// Config.Logger needs a zitadel change or a wrapper around its handlers.
package oidcop
