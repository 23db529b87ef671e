// Package chip reads the Document Security Object (EF.SOD) of an ICAO 9303
// electronic passport and performs the chip-local half of passive
// authentication (Doc 9303 part 11): the SOD's CMS signature under the
// Document Signer certificate it carries, and the data group hashes.
//
// It must never say a Document Signer is trusted: the certificate comes from
// the chip itself, so a verified signature only binds the hashes to that key.
// Chaining the Document Signer to a CSCA from a trusted master list is the
// caller's job. Malformed or ambiguous input is an error, never a pass.
package chip
