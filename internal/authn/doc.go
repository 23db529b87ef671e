// Package authn is Vigil's OpenID Connect relying party: the sign-in page,
// the authorization code flow with PKCE, state and nonce, strict ID token
// verification, the mapping of claims onto an identity.Identity, and
// RP-initiated logout. It hands a verified identity to an injected session
// creator and never decides access itself (that is policy's job).
//
// It must never log or display tokens, codes, secrets or cookie values,
// never redirect to a host the gateway does not serve, and never accept an
// ID token that failed any check: every rejection carries a named reason.
package authn
