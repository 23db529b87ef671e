// Package pki parses the X.509 certificates found in ICAO 9303 passive
// authentication (CSCA and Document Signer certificates) and checks their
// signatures, including the ones crypto/x509 refuses: ECDSA keys given with
// explicit domain parameters and the brainpool curves of RFC 5639.
//
// It holds no trust: it says whether a signature verifies under a key, never
// whether a key is trusted. Chain building, validity periods and revocation
// belong to the caller. It must never fall back to accepting a signature it
// cannot check: unknown algorithms and malformed input are errors.
package pki
