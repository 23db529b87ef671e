// Package codeflow is the relying party's half of an OAuth 2.0
// authorization code flow, for the tests of Vigil's OpenID providers
// (oidcop and the demo IdP built on it): a callback server that records
// what it receives, a browser-like HTTP client, PKCE, the authorization
// URL, the token request, and a settable clock for expiry.
//
// It is test-only: it must never be imported by production code.
package codeflow
