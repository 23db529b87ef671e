// Package aa verifies ICAO Doc 9303 Active Authentication (part 11, section
// 6.1): the server sends the chip an 8-byte random challenge, the chip signs
// it with the private key whose public half is stored in DG15, and this
// package checks that signature.
//
// Two signature forms are covered. RSA keys answer with an ISO/IEC 9796-2
// digital signature scheme 1 signature (partial message recovery): the chip
// picks the recoverable part M1 itself, the challenge is the non-recoverable
// part M2, and the hash of M1||M2 is recovered from the signature. ECDSA keys
// answer with a plain r||s signature (BSI TR-03111) over the challenge, hashed
// with the algorithm DG14's ActiveAuthenticationInfo names; an EC key without
// that information cannot be checked and is reported as unsupported.
//
// What a pass proves: the chip that answered holds the private key of the
// DG15 public key. Once passive authentication has shown DG15 is the one the
// issuer signed into the SOD, that rules out a chip cloned by copying its
// files, since the private key cannot be read out of a genuine chip.
//
// What it does not prove: anything at all if passive authentication did not
// pass first (a cloner can write their own key into DG15); that the challenge
// was fresh and used once (the caller issues it and must never accept one
// twice); or anything about chips that offer Chip Authentication instead of
// Active Authentication, which this package does not implement.
//
// The package is pure: no I/O, no globals, no clock. Malformed input is an
// error with a stable Reason, never a panic and never a pass. A signature
// that is wrong in any way reports ReasonSignatureInvalid, never
// ReasonUnsupported, so a forger cannot steer the outcome towards a reason a
// policy might treat more leniently; only the SOD-protected DG14 and DG15
// decide that something is unsupported.
package aa
