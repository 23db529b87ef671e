package trust

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // digests named by master list SignerInfos
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// Bounds on outside input. Real lists are about 1 MB with under 1000 CSCAs.
const (
	maxMasterListSize = 16 << 20
	maxListCerts      = 20000
	maxCarriedCerts   = 16
)

var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidMasterList    = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
)

var hashOIDs = map[string]crypto.Hash{
	"1.3.14.3.2.26":          crypto.SHA1,
	"2.16.840.1.101.3.4.2.4": crypto.SHA224,
	"2.16.840.1.101.3.4.2.1": crypto.SHA256,
	"2.16.840.1.101.3.4.2.2": crypto.SHA384,
	"2.16.840.1.101.3.4.2.3": crypto.SHA512,
}

// rsaPKCS1For reads a bare rsaEncryption signature algorithm as PKCS#1 v1.5
// with the SignerInfo's digest (RFC 3370 3.2).
var rsaPKCS1For = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 2, 840, 113549, 1, 1, 5},
	crypto.SHA224: {1, 2, 840, 113549, 1, 1, 14},
	crypto.SHA256: {1, 2, 840, 113549, 1, 1, 11},
	crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12},
	crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13},
}

// signedList is a parsed, not yet verified, master list.
type signedList struct {
	eContent      []byte
	carried       []*pki.Certificate
	sidIssuer     []byte // IssuerAndSerialNumber form
	sidSerial     *big.Int
	sidSKI        []byte // subjectKeyIdentifier form
	digest        crypto.Hash
	signedAttrs   []byte
	messageDigest []byte
	sigAlg        pki.AlgorithmIdentifier
	signature     []byte
}

// parseSignedList reads ContentInfo{SignedData} in DER with an eContent of
// type id-icao-cscaMasterList, exactly one SignerInfo, and signedAttrs.
func parseSignedList(b []byte) (*signedList, error) {
	in := cryptobyte.String(b)
	var ci, sd, digestAlgs, eci, wrap, certs, crls, sis, si cryptobyte.String
	var oid, eType asn1.ObjectIdentifier
	var version int64
	var present bool
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidSignedData) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() ||
		!sd.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, rejected("not a DER CMS SignedData ContentInfo")
	}
	if !sd.ReadASN1Integer(&version) || version < 1 || version > 5 || !sd.ReadASN1(&digestAlgs, cbasn1.SET) ||
		!sd.ReadASN1(&eci, cbasn1.SEQUENCE) || !eci.ReadASN1ObjectIdentifier(&eType) || !eType.Equal(oidMasterList) {
		return nil, rejected("encapsulated content is not a CscaMasterList")
	}
	l := &signedList{}
	var content cryptobyte.String
	if !eci.ReadASN1(&wrap, cbasn1.Tag(0).Constructed().ContextSpecific()) || !eci.Empty() ||
		!wrap.ReadASN1(&content, cbasn1.OCTET_STRING) || !wrap.Empty() {
		return nil, rejected("missing or non-DER eContent")
	}
	l.eContent = content
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, rejected("bad certificates field")
	}
	for !certs.Empty() {
		var der cryptobyte.String
		if len(l.carried) == maxCarriedCerts || !certs.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return nil, rejected("too many carried certificates, or one that is not X.509")
		}
		c, err := pki.ParseCertificate(der)
		if err != nil {
			return nil, rejected("carried certificate %d: %v", len(l.carried), err)
		}
		l.carried = append(l.carried, c)
	}
	if !sd.ReadOptionalASN1(&crls, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&sis, cbasn1.SET) || !sd.Empty() {
		return nil, rejected("bad crls or signerInfos")
	}
	// One signer only: several would let a verifier pick the convenient one.
	if !sis.ReadASN1(&si, cbasn1.SEQUENCE) || !sis.Empty() {
		return nil, rejected("want exactly one SignerInfo")
	}
	if err := l.parseSignerInfo(si); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *signedList) parseSignerInfo(si cryptobyte.String) error {
	var version int64
	if !si.ReadASN1Integer(&version) {
		return rejected("bad SignerInfo version")
	}
	switch {
	case version == 1 && si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		l.sidSerial = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) ||
			!ias.ReadASN1Integer(l.sidSerial) || !ias.Empty() {
			return rejected("bad IssuerAndSerialNumber")
		}
		l.sidIssuer = issuer
	case version == 3 && si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		if !si.ReadASN1Bytes(&l.sidSKI, cbasn1.Tag(0).ContextSpecific()) || len(l.sidSKI) == 0 {
			return rejected("bad subjectKeyIdentifier")
		}
	default:
		return rejected("SignerInfo version %d with an unexpected signer identifier", version)
	}
	var alg, attrs, unsigned cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !si.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return rejected("bad digestAlgorithm")
	}
	h, ok := hashOIDs[oid.String()]
	if !ok {
		return rejected("unsupported digest %s", oid)
	}
	l.digest = h
	if !si.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return rejected("missing signedAttrs")
	}
	l.signedAttrs = attrs
	if err := l.parseSignedAttrs(attrs); err != nil {
		return err
	}
	if !si.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&l.sigAlg.Algorithm) {
		return rejected("bad signatureAlgorithm")
	}
	l.sigAlg.Parameters = alg
	if l.sigAlg.Algorithm.Equal(oidRSAEncryption) {
		l.sigAlg = pki.AlgorithmIdentifier{Algorithm: rsaPKCS1For[h]}
	}
	var present bool
	if !si.ReadASN1Bytes(&l.signature, cbasn1.OCTET_STRING) || len(l.signature) == 0 ||
		!si.ReadOptionalASN1(&unsigned, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
		return rejected("bad signature or trailing SignerInfo data")
	}
	return nil
}

// parseSignedAttrs requires one single-valued contentType equal to the
// master list OID (RFC 5652 11.1) and one single-valued messageDigest.
func (l *signedList) parseSignedAttrs(elem []byte) error {
	in := cryptobyte.String(elem)
	var attrs cryptobyte.String
	if !in.ReadASN1(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return rejected("bad signedAttrs")
	}
	var sawType bool
	for !attrs.Empty() {
		var attr, values, value cryptobyte.String
		var typ, ct asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&typ) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return rejected("bad signed attribute")
		}
		switch {
		case typ.Equal(oidContentType):
			if sawType || !values.ReadASN1ObjectIdentifier(&ct) || !values.Empty() || !ct.Equal(oidMasterList) {
				return rejected("contentType attribute wrong, repeated or multi-valued")
			}
			sawType = true
		case typ.Equal(oidMessageDigest):
			if l.messageDigest != nil || !values.ReadASN1(&value, cbasn1.OCTET_STRING) || !values.Empty() {
				return rejected("messageDigest attribute repeated or multi-valued")
			}
			l.messageDigest = append([]byte{}, value...)
		}
	}
	if !sawType || l.messageDigest == nil {
		return rejected("signedAttrs lack contentType or messageDigest")
	}
	return nil
}

// signer returns the one carried certificate the SignerInfo identifies.
func (l *signedList) signer() (*pki.Certificate, error) {
	var match *pki.Certificate
	for _, c := range l.carried {
		var ok bool
		if l.sidSKI != nil {
			ok = len(c.SubjectKeyID) > 0 && bytes.Equal(l.sidSKI, c.SubjectKeyID)
		} else {
			ok = c.SerialNumber != nil && l.sidSerial.Cmp(c.SerialNumber) == 0 && chip.SameNameDER(l.sidIssuer, c.RawIssuer)
		}
		if ok {
			if match != nil {
				return nil, rejected("several carried certificates match the signer identifier")
			}
			match = c
		}
	}
	if match == nil {
		return nil, rejected("no carried certificate matches the signer identifier")
	}
	return match, nil
}

// verify checks the CMS signature under signer's key (RFC 5652 5.4).
func (l *signedList) verify(signer *pki.Certificate) error {
	h := l.digest.New()
	h.Write(l.eContent)
	if subtle.ConstantTimeCompare(h.Sum(nil), l.messageDigest) != 1 {
		return rejected("messageDigest does not match the master list content")
	}
	if l.sigAlg.Algorithm == nil {
		return rejected("bare rsaEncryption with an unknown digest")
	}
	signed := append([]byte{}, l.signedAttrs...)
	signed[0] = 0x31 // [0] IMPLICIT SET OF -> universal SET OF
	if err := pki.VerifySignature(signer.PublicKey, l.sigAlg, signed, l.signature); err != nil {
		return rejected("CMS signature: %v", err)
	}
	return nil
}
