// Package trust holds the CSCA certificates a verifier trusts and chains
// Document Signer certificates to them (ICAO 9303 part 11 passive
// authentication, trust half).
//
// CSCAs enter only two ways: AddCSCA (the operator vouches for the
// certificate) or ImportMasterList, which trusts a master list's contents
// only after its CMS signature verifies under the carried signer certificate
// and that signer chains to the anchor CSCA the operator supplied. AddCRL
// records revocations from CRLs a trusted CSCA signed. LoadFiles reads a
// trust directory of all three, recognised by content.
//
// It must never trust a certificate because a passport, SOD or unverified
// list carries it, never let a CRL or list it could not verify change
// anything, and a failed check is always an error, never a pass.
package trust
