// Package nodeop runs the certified Node.js OpenID Provider (panva's
// oidc-provider, pinned in testdata/oidc-provider) as a real, independent OP
// for Go tests, and drives its development login, consent and logout forms
// the way a browser would.
//
// It is test-only: the provider it starts signs in any login name without a
// password check. It must never be imported by production code, never listen
// beyond 127.0.0.1, and never be skipped when the CI environment variable is
// set (a missing Node.js there is a failure, not a skip).
package nodeop
