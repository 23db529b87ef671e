package chip

import (
	"crypto"
	_ "crypto/sha1" // digest algorithms named by SODs
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var hashOIDs = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

// rsaPKCS1For maps a digest to sha*WithRSAEncryption. NZ and US SODs name
// the signature algorithm as bare rsaEncryption; RFC 3370 section 3.2 reads
// that as PKCS#1 v1.5 with the SignerInfo's digest algorithm.
var rsaPKCS1For = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 2, 840, 113549, 1, 1, 5},
	crypto.SHA224: {1, 2, 840, 113549, 1, 1, 14},
	crypto.SHA256: {1, 2, 840, 113549, 1, 1, 11},
	crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12},
	crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13},
}

// readDigestAlg reads a digest AlgorithmIdentifier whose parameters are
// absent or NULL, as RFC 5754 allows both.
func readDigestAlg(s *cryptobyte.String) (crypto.Hash, bool) {
	var alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return 0, false
	}
	if alg.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		if !alg.ReadASN1(&null, cbasn1.NULL) || !null.Empty() {
			return 0, false
		}
	}
	if !alg.Empty() {
		return 0, false
	}
	for _, h := range hashOIDs {
		if h.oid.Equal(oid) {
			return h.hash, true
		}
	}
	return 0, false
}

func digest(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}
