// Package receiver is Vigil's Shared Signals receiver: it takes Security
// Event Tokens from configured upstream transmitters (identity providers,
// EDR and MDM products), by push (RFC 8935) or poll (RFC 8936), validates
// them with package set, turns each into Effects (revoke sessions, add or
// clear a risk factor) with Map, and hands them to an Applier.
//
// A SET is applied at most once: its jti is claimed in the store's replay
// ledger before it is applied, and the claim is given back when applying
// fails, so the transmitter's retry is applied rather than refused.
//
// This package must never act on a SET it has not fully validated, never
// accept a transmitter's push without its bearer token when one is
// configured, never tell a transmitter why an internal step failed, and
// never log a token.
package receiver
