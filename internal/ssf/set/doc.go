// Package set reads and writes Security Event Tokens (RFC 8417) as the
// Shared Signals Framework 1.0, CAEP 1.0 and RISC 1.0 use them: signed JWTs
// with the header typ "secevent+jwt", a top-level sub_id (RFC 9493 subject
// identifiers, plus the SSF complex subject) and exactly one event.
//
// Parse validates a SET completely (allowed asymmetric algorithm, a key
// the caller trusts for the issuer, typ, iss, aud, iat, no sub or exp, one
// event) and every error it returns is an *Error whose Code is an RFC 8935
// error code, so a push endpoint can answer the transmitter with it.
// Signer.Sign refuses a SET that Parse would refuse.
//
// This package must never accept an unsigned or symmetrically signed SET,
// never trust a key carried inside the token, and never log token content.
package set
