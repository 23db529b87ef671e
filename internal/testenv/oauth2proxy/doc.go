// Package oauth2proxy runs oauth2-proxy (github.com/oauth2-proxy/oauth2-proxy,
// pinned at Version) as an independent OIDC relying party for Go tests: it
// is configured with the OP under test as its oidc provider, in front of an
// upstream the test supplies, and is driven over HTTP like a browser would.
//
// It is test-only. It must never be imported by production code, never
// listen beyond 127.0.0.1, never relax a check beyond what a plain-http
// loopback setup needs (nonce checking is turned on, PKCE S256 required,
// email verification kept), never log or pass secrets on the command line,
// and never be skipped when the CI environment variable is set (a missing
// binary that cannot be installed there is a failure, not a skip).
package oauth2proxy
