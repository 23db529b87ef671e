// Package demoidp is a small, real OpenID Provider for `vigil quickstart`
// and for end-to-end tests: it issues signed ID tokens to a fixed list of
// demo users after a username and password form, using the OpenID-certified
// zitadel/oidc op package for every protocol endpoint.
//
// The package is split in three parts so that Vigil's identity-verification
// provider can later replace one without touching the others: the OP storage
// (storage*.go: auth requests, codes, tokens, keys), the user directory
// (users.go: who exists and how a password is checked) and the login UI
// (login*.go: the HTML form, bound to the browser that started the flow).
//
// It must never be used as a production identity provider: users and
// passwords come from configuration, there are no sessions across
// authorizations (every authorization asks for the password again) and
// everything lives in memory. It must never log passwords, client secrets
// or tokens.
package demoidp
