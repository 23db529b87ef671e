// Package demoidp is a small, real OpenID Provider for `vigil quickstart`
// and for end-to-end tests: it issues signed ID tokens to a fixed list of
// demo users after a username and password form.
//
// The protocol (every OP endpoint, auth requests, codes, tokens, keys,
// clients, browser binding) is internal/oidcop; this package adds what is
// particular to the demo: the user directory (users.go: who exists, how a
// password is checked, which claims a user has; it is the oidcop
// ClaimsSource) and the password login UI (login*.go, page.go: the
// oidcop Authenticator).
//
// It must never be used as a production identity provider: users and
// passwords come from configuration, there are no sessions across
// authorizations (every authorization asks for the password again) and
// everything lives in memory. It must never log passwords, client secrets
// or tokens.
package demoidp
