// Package identity holds the signed-in person as every part of Vigil sees it:
// who they are, which provider vouched for them and how they authenticated.
// It is plain data with no behaviour that does I/O, so that the policy core,
// the session layer and the assertion signer can share it without importing
// each other.
package identity

import "time"

// Identity is the authenticated subject of a session. Values are immutable
// once a session is created: code on the request path reads them
// concurrently and must never modify them.
type Identity struct {
	// Subject is the provider's stable identifier (`sub`).
	Subject string `json:"sub"`
	// Provider is the configured name of the identity provider that
	// authenticated the user (not its issuer URL).
	Provider string `json:"provider"`
	// Issuer is the provider's issuer URL, as found in the ID token.
	Issuer string `json:"iss,omitempty"`
	// Email is lower-cased; EmailVerified is the provider's claim.
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	// Groups as mapped by the provider's claim mapping.
	Groups []string `json:"groups,omitempty"`
	// AMR (RFC 8176) and ACR as returned in the ID token.
	AMR []string `json:"amr,omitempty"`
	ACR string   `json:"acr,omitempty"`
	// AuthTime is when the user last actively authenticated at the provider.
	AuthTime time.Time `json:"auth_time,omitzero"`
	// Claims is the full set of ID token (and userinfo) claims, for the
	// claim selector and CEL expressions.
	Claims map[string]any `json:"claims,omitempty"`
	// Verification is set once the user has verified their identity at the
	// app's verifier; nil until then.
	Verification *Verification `json:"verification,omitempty"`
}

// Verification is the outcome of an identity verification at a configured
// verifier, done after the primary sign-in (a step-up). It is stored with
// the session's identity, so every field must survive a JSON round trip.
type Verification struct {
	// Provider is the configured name of the verifier.
	Provider string `json:"provider"`
	// Subject is the verifier's own `sub` for the user.
	Subject string `json:"sub"`
	// TrustFramework and Level are from verified_claims.verification
	// (e.g. nist_800_63A, ial2), or the level mapped from acr.
	TrustFramework string `json:"trust_framework,omitempty"`
	Level          string `json:"level,omitempty"`
	// ACR and AMR as the verifier's ID token carried them.
	ACR string   `json:"acr,omitempty"`
	AMR []string `json:"amr,omitempty"`
	// VerifiedAt is verified_claims.verification.time, or the token's
	// auth_time when the verifier only returns acr.
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	// AuthTime is the verifier token's auth_time.
	AuthTime time.Time `json:"auth_time,omitzero"`
	// Methods are the distinct evidence check methods (vcrypt, bvr, ...).
	Methods []string `json:"methods,omitempty"`
	// DocumentCountry is the verified document's issuing country, when
	// the evidence names it (for the risk detectors' locale check).
	DocumentCountry string `json:"document_country,omitempty"`
}
