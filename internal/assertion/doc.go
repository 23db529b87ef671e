// Package assertion signs the identity assertion (a JWT) that the gateway
// adds to every request it forwards upstream, and publishes the public keys
// that verify it at /.well-known/vigil/jwks.json.
//
// Keys are ES256 (P-256). A new key is made every KeyRotation and published
// PublishAhead before it signs anything, so verifiers that cache the key set
// learn it in time; a retired key stays published until every assertion it
// signed has expired. Keys live in the store wrapped with AES-256-GCM under a
// key derived from the master secret; the AEAD also authenticates the kid and
// public key, so a record planted in the database is rejected rather than
// published.
//
// Assertions carry the header typ "vigil-assertion+jwt" (explicit typing,
// RFC 8725 section 3.11) so they cannot be confused with ID tokens or other
// JWTs, and aud is the app name so one app cannot replay them to another.
//
// This package must never log or return key material, never sign with a key
// that is not published, and never publish a key it could not authenticate.
package assertion
