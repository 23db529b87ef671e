package aa

import (
	"crypto"
	_ "crypto/sha1" // hashes the signature algorithms below name
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// maxSecurityInfos bounds the SET in DG14; real chips list three to ten.
const maxSecurityInfos = 64

// id-icao-mrtd-security-aaProtocolObject, Doc 9303 part 11 section 9.2.
var oidAAProtocol = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}

// aaHashes maps ActiveAuthenticationInfo.signatureAlgorithm to its hash.
// Doc 9303 names the TR-03111 ecdsa-plain OIDs; some chips write the X9.62
// ecdsa-with-SHA* OIDs instead. Either way the response is plain r||s.
var aaHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}, crypto.SHA1},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}, crypto.SHA224},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}, crypto.SHA256},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}, crypto.SHA384},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, crypto.SHA512},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, crypto.SHA512},
}

// AlgorithmFromDG14 returns the hash of the ECDSA Active Authentication
// signature named by DG14 (tag 0x6E around SecurityInfos). ok is false when
// DG14 holds no ActiveAuthenticationInfo. Every SecurityInfo must be well
// formed, and more than one ActiveAuthenticationInfo is ambiguous: both are
// ReasonKeyMalformed. A signature algorithm this package does not know is
// ReasonUnsupported.
//
//	SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER,
//	    requiredData ANY DEFINED BY protocol, optionalData ANY OPTIONAL }
//	ActiveAuthenticationInfo ::= SEQUENCE { protocol aaProtocolObject,
//	    version INTEGER (1), signatureAlgorithm OBJECT IDENTIFIER }
func AlgorithmFromDG14(dg14 []byte) (crypto.Hash, bool, error) {
	content, err := unwrap(dg14, 0x6E)
	if err != nil {
		return 0, false, fail(ReasonKeyMalformed, "DG14: %v", err)
	}
	in := cryptobyte.String(content)
	var set cryptobyte.String
	if !in.ReadASN1(&set, cbasn1.SET) || !in.Empty() {
		return 0, false, fail(ReasonKeyMalformed, "DG14 is not one SET OF SecurityInfo")
	}
	var sigAlg asn1.ObjectIdentifier
	found := false
	for n := 0; !set.Empty(); n++ {
		if n == maxSecurityInfos {
			return 0, false, fail(ReasonKeyMalformed, "DG14 lists more than %d SecurityInfos", maxSecurityInfos)
		}
		var info cryptobyte.String
		var protocol asn1.ObjectIdentifier
		if !set.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1ObjectIdentifier(&protocol) || info.Empty() {
			return 0, false, fail(ReasonKeyMalformed, "DG14 SecurityInfo %d is malformed", n)
		}
		if !protocol.Equal(oidAAProtocol) {
			// Other protocols (chip and terminal authentication, PACE) are
			// not read, but must still be whole DER elements.
			if !skipElements(info, 2) {
				return 0, false, fail(ReasonKeyMalformed, "DG14 SecurityInfo %d is malformed", n)
			}
			continue
		}
		if found {
			return 0, false, fail(ReasonKeyMalformed, "DG14 has more than one ActiveAuthenticationInfo")
		}
		var version int64
		if !info.ReadASN1Integer(&version) || !info.ReadASN1ObjectIdentifier(&sigAlg) || !info.Empty() {
			return 0, false, fail(ReasonKeyMalformed, "DG14 ActiveAuthenticationInfo is malformed")
		}
		if version != 1 {
			return 0, false, fail(ReasonUnsupported, "ActiveAuthenticationInfo version %d", version)
		}
		found = true
	}
	if !found {
		return 0, false, nil
	}
	for _, h := range aaHashes {
		if h.oid.Equal(sigAlg) {
			return h.hash, true, nil
		}
	}
	return 0, false, fail(ReasonUnsupported, "AA signature algorithm %s", sigAlg)
}

// skipElements reports whether s is one to max whole DER elements.
func skipElements(s cryptobyte.String, max int) bool {
	for n := 0; !s.Empty(); n++ {
		var tag cbasn1.Tag
		var elem cryptobyte.String
		if n == max || !s.ReadAnyASN1Element(&elem, &tag) {
			return false
		}
	}
	return true
}
