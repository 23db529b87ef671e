// Package chiptest is a test issuing state: it creates a CSCA, a Document
// Signer and the files of an eMRTD chip (EF.COM, DG1, DG2, DG14, DG15,
// EF.SOD) the way a passport personalisation system does (ICAO Doc 9303
// parts 10-12), and answers Active Authentication challenges with the
// chip's private key.
//
// It exists because real chips cannot be put in a CI run: the real SODs in
// shared/testdata have no data groups, and the one specimen with data
// groups (BSI 2008) chains to a CSCA nobody publishes. Everything it emits
// is real cryptography over real structures, so the verifier code under test
// cannot tell it from a chip except by trust: its CSCA must be added to a
// trust store on purpose. Never use it outside tests and demos.
package chiptest
