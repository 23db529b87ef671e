// Package nodeclient runs openid-client (panva's OpenID-certified relying
// party library for Node.js, pinned in testdata/openid-client) as a small,
// independent relying party for Go tests: its /login starts the
// authorization code flow with PKCE (S256), state and nonce against the OP
// under test, and its /callback answers JSON with the ID token claims the
// library validated and the userinfo it fetched, or the library's error.
//
// It is test-only. It must never be imported by production code, never
// listen beyond 127.0.0.1, never accept plain http for a non-loopback
// issuer, and never be skipped when the CI environment variable is set (a
// missing Node.js there is a failure, not a skip).
package nodeclient
