package chip

import (
	"crypto"
	_ "crypto/sha1" // digest algorithms named by SODs
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
)

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

func digest(h crypto.Hash, b []byte) []byte {
	d := h.New()
	d.Write(b)
	return d.Sum(nil)
}
