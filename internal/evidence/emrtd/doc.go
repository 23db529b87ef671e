// Package emrtd composes passive authentication of an ICAO Doc 9303
// electronic passport or identity card (part 11) into one verdict, for the
// identity verifier and `vigil chip verify`: EF.SOD structure and signature
// (package chip), the Document Signer's chain to a trusted CSCA (package
// trust, through the Trust interface), the data group hashes, DG1's MRZ
// (package mrz), DG2's face images (package dg2), and optionally active
// authentication (package aa) and a cross-check against the printed MRZ.
//
// # What passes
//
// Report.PassiveAuth is true only when the SOD parses, its signature
// verifies, the Document Signer chains to a trusted CSCA valid at the given
// time, every provided data group is listed in the SOD with a matching
// hash, and DG1 was provided and parses. Everything else fails closed. A
// missing DG2 is allowed (reason dg2-missing, advisory). EF.COM is not
// signed, so it never decides anything: a malformed one is reported
// (com-malformed) and its data group list is only compared for information.
//
// A printed MRZ that differs from DG1 leaves PassiveAuth true (the chip
// data is authentic) but adds mrz-mismatch, and Report.Accept, the gate
// callers should use, refuses: the chip is genuine but may not belong to
// the document that was photographed. Accept is PassiveAuth with no
// non-advisory reason (an MRZ mismatch, failed active authentication, a
// malformed DG2 or EF.COM all refuse).
//
// # Reasons
//
// Stable strings, in check order: com-malformed; sod-malformed,
// sod-signature-invalid, ds-not-found (chip); csca-unknown, ds-not-chained,
// ds-expired, and whatever else the Trust implementation reports
// (ds-revoked, ds-key-usage); dg-invalid, dg-hash-mismatch:DG<n>,
// dg-missing-in-sod:DG<n>; dg1-missing, dg1-malformed; mrz-printed-malformed,
// mrz-mismatch (with the differing field names, never values, in the
// check's detail); dg2-missing (advisory), dg2-malformed; dg15-missing,
// aa-key-unverified, aa-signature-invalid, aa-key-malformed,
// aa-unsupported, aa-challenge-invalid.
//
// # Signer matching
//
// chip identifies the Document Signer by the SignerInfo's issuer and serial
// compared as a set of name attributes, because a real Malaysian SOD lists
// its issuer's attributes in another order than the certificate. That is
// safe because the identified key must still verify the signature, and
// every byte of the certificate outside the key is then authenticated by
// the chain check: with trust wired in, a flipped DS name, date or
// extension fails as ds-not-chained or csca-unknown (see tamper_test.go).
//
// # What the caller must still do
//
//   - Gate on Report.Accept, not on the presence of Document or Faces:
//     those are filled whenever they parse, authentic or not.
//   - Decide whether active authentication is required (ActiveAuth
//     "not-performed" means a chip with an AA key was not challenged), and
//     generate every challenge fresh and at random, using each once; this
//     package cannot see replays.
//   - Judge document expiry (Document.Expired) and policy on the holder.
//   - Keep the trust store current (master lists, CRLs) and pass the real
//     time: the Document Signer must be valid at now.
//   - Compare the face in Faces with the person (face match and liveness).
//
// The package does no I/O, reads no clock and logs nothing; reports carry
// parsed MRZ fields but never the raw MRZ, and no face image in JSON.
package emrtd
