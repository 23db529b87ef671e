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
}
