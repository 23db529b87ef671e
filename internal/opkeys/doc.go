// Package opkeys keeps the keys that sign the ID tokens of Vigil's built-in
// OpenID Provider (internal/verifier on internal/oidcop): a Ring is an
// oidcop.KeySource backed by the store, so tokens survive a restart, every
// replica signs and publishes the same keys, and keys rotate.
//
// Keys are RS256 (RSA 2048, the default: every relying party verifies it)
// or ES256 (P-256). A new key is made every Rotation and published
// PublishAhead before it signs, so relying parties that cache the JWKS learn
// it in time; a retired key stays published until the tokens it signed have
// expired (TokenLifetime plus a margin). Records are written once and never
// updated, so replicas sharing a database agree without coordination: each
// reloads the set every ReloadInterval and derives the same current key
// from it.
//
// Private keys are stored as PKCS#8 sealed with AES-256-GCM under a key
// derived from the master secret for this purpose alone (not the assertion
// keys' wrapping key). The AEAD also authenticates the kid, algorithm,
// public key and lifetimes, so a record planted or edited in the database
// is refused rather than published.
//
// This package must never log or return private key material, never sign
// with a key that is not published, and never publish a key it could not
// authenticate. It must never read or write the gateway's assertion keys.
package opkeys
