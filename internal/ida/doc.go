// Package ida is the data model of OpenID Connect for Identity Assurance 1.0 (final, 2024): the
// verified_claims claim as Vigil's identity-verification OpenID Provider issues it and as the gateway
// reads it from any verification provider.
//
// It has four parts: types that round-trip verified_claims JSON (object or array form) exactly; a builder
// for the attestation the verifier issues; the claims-request side (parse the verified_claims element of
// the OIDC claims parameter, then Filter what the OP holds down to what was asked, omitting the whole
// verified_claims when a verification constraint cannot be met); and the reading side for policy
// (Assurance, AtLeast).
//
// It is pure code: it must never do I/O, read the clock (callers pass now), follow attachment URLs, or
// log claim values (they are personal data).
package ida
