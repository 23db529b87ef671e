package chip

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// signerInfo is the part of a CMS SignerInfo (RFC 5652 5.3) VerifySignature
// needs. Either issuer+serial or ski identifies the signer.
type signerInfo struct {
	issuer        []byte // DER Name
	serial        *big.Int
	ski           []byte
	digest        crypto.Hash
	signedAttrs   []byte // the [0] IMPLICIT element as received
	messageDigest []byte
	sigAlg        pki.AlgorithmIdentifier
	signature     []byte
}

func parseSignerInfo(si cryptobyte.String, eType asn1.ObjectIdentifier) (*signerInfo, error) {
	var out signerInfo
	var version int64
	if !si.ReadASN1Integer(&version) {
		return nil, malformed("bad SignerInfo version")
	}
	switch {
	case version == 1 && si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var issuer cryptobyte.String
		var ok bool
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
			return nil, malformed("bad IssuerAndSerialNumber")
		}
		if out.serial, ok = readSerial(&ias); !ok || !ias.Empty() {
			return nil, malformed("bad signer serial number")
		}
		out.issuer = issuer
	case version == 3 && si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		if !si.ReadASN1Bytes(&out.ski, cbasn1.Tag(0).ContextSpecific()) || len(out.ski) == 0 {
			return nil, malformed("bad subjectKeyIdentifier")
		}
	default:
		return nil, malformed("SignerInfo version %d with an unexpected signer identifier", version)
	}
	h, ok := pki.ReadHashAlgorithm(&si)
	if !ok {
		return nil, malformed("unsupported or bad SignerInfo digestAlgorithm")
	}
	out.digest = h
	var attrs cryptobyte.String
	if !si.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformed("missing signedAttrs")
	}
	out.signedAttrs = attrs
	if err := out.parseSignedAttrs(attrs, eType); err != nil {
		return nil, err
	}
	var alg cryptobyte.String
	if !si.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&out.sigAlg.Algorithm) {
		return nil, malformed("bad signatureAlgorithm")
	}
	out.sigAlg.Parameters = alg
	if out.sigAlg.Algorithm.Equal(oidRSAEncryption) {
		out.sigAlg = pki.AlgorithmIdentifier{Algorithm: rsaPKCS1For[h]}
	}
	var unsigned cryptobyte.String
	var present bool
	if !si.ReadASN1Bytes(&out.signature, cbasn1.OCTET_STRING) || len(out.signature) == 0 ||
		!si.ReadOptionalASN1(&unsigned, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !si.Empty() {
		return nil, malformed("bad signature or trailing SignerInfo data")
	}
	return &out, nil
}

// parseSignedAttrs requires exactly one contentType (equal to the
// eContentType, RFC 5652 11.1) and exactly one messageDigest, each single
// valued; other attributes (signingTime) are carried but not interpreted.
func (si *signerInfo) parseSignedAttrs(elem []byte, eType asn1.ObjectIdentifier) error {
	in := cryptobyte.String(elem)
	var attrs cryptobyte.String
	if !in.ReadASN1(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return malformed("bad signedAttrs")
	}
	var sawType bool
	for !attrs.Empty() {
		var attr, values, value cryptobyte.String
		var typ asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&typ) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return malformed("bad signed attribute")
		}
		switch {
		case typ.Equal(oidContentType):
			var ct asn1.ObjectIdentifier
			if sawType || !values.ReadASN1ObjectIdentifier(&ct) || !values.Empty() || !ct.Equal(eType) {
				return malformed("contentType attribute missing the LDS OID, repeated or multi-valued")
			}
			sawType = true
		case typ.Equal(oidMessageDigest):
			if si.messageDigest != nil || !values.ReadASN1(&value, cbasn1.OCTET_STRING) || !values.Empty() {
				return malformed("messageDigest attribute repeated or multi-valued")
			}
			si.messageDigest = append([]byte{}, value...)
		}
	}
	if !sawType || si.messageDigest == nil {
		return malformed("signedAttrs lack contentType or messageDigest")
	}
	return nil
}

// identifies reports whether c is the certificate the signer identifier
// names. A subjectKeyIdentifier must equal the certificate's byte for byte.
// IssuerAndSerialNumber needs an equal serial and an issuer equal under
// sameName. The looser name rule is safe because identification only picks
// the key: VerifySignature still requires that key to verify the signature,
// and the caller must chain the certificate to a CSCA.
func (si *signerInfo) identifies(c *pki.Certificate) bool {
	if si.ski != nil {
		return len(c.SubjectKeyID) > 0 && bytes.Equal(si.ski, c.SubjectKeyID)
	}
	return c.SerialNumber != nil && si.serial.Cmp(c.SerialNumber) == 0 && sameName(si.issuer, c.RawIssuer)
}

// VerifySignature checks the SOD's CMS signature: the messageDigest
// attribute must equal the SignerInfo digest of the eContent, and the
// Document Signer's key must verify the signature over signedAttrs
// re-tagged as a SET OF (0x31), per RFC 5652 5.4. Failures are *Error with
// ReasonDSNotFound or ReasonSignatureInvalid.
func (s *SOD) VerifySignature() error {
	if s.dsAmbiguous {
		return &Error{Reason: ReasonDSNotFound, Detail: "several certificates match the signer identifier"}
	}
	if s.DocumentSigner == nil {
		return &Error{Reason: ReasonDSNotFound, Detail: "no carried certificate matches the signer identifier"}
	}
	si := &s.signer
	if si.sigAlg.Algorithm == nil {
		return &Error{Reason: ReasonSignatureInvalid, Detail: "bare rsaEncryption with an unknown digest"}
	}
	want := digest(si.digest, s.eContent)
	// Not secret, but constant time costs nothing and avoids a habit.
	if subtle.ConstantTimeCompare(want, si.messageDigest) != 1 {
		return &Error{Reason: ReasonSignatureInvalid, Detail: "messageDigest does not match the LDSSecurityObject"}
	}
	signed := make([]byte, len(si.signedAttrs))
	copy(signed, si.signedAttrs)
	signed[0] = 0x31 // [0] IMPLICIT SET OF -> universal SET OF
	if err := pki.VerifySignature(s.DocumentSigner.PublicKey, si.sigAlg, signed, si.signature); err != nil {
		return &Error{Reason: ReasonSignatureInvalid, Detail: err.Error()}
	}
	return nil
}
