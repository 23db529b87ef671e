// Package verifier is Vigil's identity-verification OpenID Provider: an
// oidcop provider whose "login" is a verification flow (work email code,
// identity document photo with its MRZ checked, selfie, review by a person)
// and whose ID tokens carry acr, amr, auth_time and OpenID Connect for
// Identity Assurance verified_claims.
//
// The flow pages, the reviewer's domain operations (Queue, Approve, Reject,
// Evidence) and evidence retention (Purge, Run) live here; the review UI
// does not. Evidence images are sealed with internal/evidence/vault before
// they reach the store.
//
// It must never log personal data (names, document numbers, addresses,
// codes, images), never store an upload that failed its checks, never
// issue verified_claims that were not approved by a reviewer, and never
// complete an auth request for a browser other than the one it is bound
// to.
package verifier
