package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField    = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
)

// ParsePublicKey decodes a DER SubjectPublicKeyInfo. It returns an
// *rsa.PublicKey (rsaEncryption or id-RSASSA-PSS keys) or an *ECPublicKey
// (named curve OID or explicit SpecifiedECDomain parameters).
func ParsePublicKey(spki []byte) (crypto.PublicKey, error) {
	in := cryptobyte.String(spki)
	var body, algID, params cryptobyte.String
	var oid asn1.ObjectIdentifier
	var bits asn1.BitString
	var hasParams bool
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !in.Empty() ||
		!body.ReadASN1(&algID, cbasn1.SEQUENCE) ||
		!algID.ReadASN1ObjectIdentifier(&oid) ||
		!readOptionalAny(&algID, &params, &hasParams) || !algID.Empty() ||
		!body.ReadASN1BitString(&bits) || !body.Empty() {
		return nil, errors.New("pki: malformed SubjectPublicKeyInfo")
	}
	if bits.BitLength%8 != 0 {
		return nil, errors.New("pki: public key bit string is not whole bytes")
	}
	switch {
	case oid.Equal(oidRSAEncryption), oid.Equal(oidRSASSAPSS):
		// PSS key parameters only restrict use; the key itself is PKCS#1.
		pub, err := x509.ParsePKCS1PublicKey(bits.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: RSA public key: %w", err)
		}
		return pub, nil
	case oid.Equal(oidECPublicKey):
		if !hasParams {
			return nil, errors.New("pki: EC public key without curve parameters")
		}
		c, err := parseECParameters(params)
		if err != nil {
			return nil, err
		}
		x, y, err := decodePoint(c, bits.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pki: EC public key: %w", err)
		}
		k, err := NewECPublicKey(c, x, y)
		if err != nil {
			return nil, err
		}
		k.Explicit = params[0] == byte(cbasn1.SEQUENCE)
		return k, nil
	}
	return nil, fmt.Errorf("pki: unsupported public key algorithm %s", oid)
}

// readOptionalAny reads the optional parameters of an AlgorithmIdentifier,
// whatever their type, as a whole element.
func readOptionalAny(s *cryptobyte.String, out *cryptobyte.String, present *bool) bool {
	*present = !s.Empty()
	if !*present {
		return true
	}
	var tag cbasn1.Tag
	return s.ReadAnyASN1Element(out, &tag)
}

// parseECParameters reads ECParameters: a namedCurve OID or explicit
// SpecifiedECDomain (RFC 3279 section 2.3.5). implicitlyCA is refused.
func parseECParameters(params cryptobyte.String) (*Curve, error) {
	if params.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		var oid asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&oid) || !params.Empty() {
			return nil, errors.New("pki: malformed named curve")
		}
		nc, ok := curveByOID(oid)
		if !ok {
			return nil, fmt.Errorf("pki: unsupported named curve %s", oid)
		}
		return nc.curve, nil
	}
	var dom cryptobyte.String
	if !params.ReadASN1(&dom, cbasn1.SEQUENCE) || !params.Empty() {
		return nil, errors.New("pki: EC parameters are neither a named curve nor explicit")
	}
	return parseSpecifiedDomain(dom)
}

func parseSpecifiedDomain(dom cryptobyte.String) (*Curve, error) {
	var version int64
	var field, curve, aBytes, bBytes, base cryptobyte.String
	var fieldType asn1.ObjectIdentifier
	c := &Curve{P: new(big.Int), N: new(big.Int)}
	if !dom.ReadASN1Integer(&version) || version < 1 || version > 3 ||
		!dom.ReadASN1(&field, cbasn1.SEQUENCE) ||
		!field.ReadASN1ObjectIdentifier(&fieldType) {
		return nil, errors.New("pki: malformed explicit EC parameters")
	}
	if !fieldType.Equal(oidPrimeField) {
		return nil, fmt.Errorf("pki: unsupported EC field type %s", fieldType)
	}
	if !field.ReadASN1Integer(c.P) || !field.Empty() || c.P.Sign() <= 0 ||
		c.P.BitLen() > maxFieldBits {
		return nil, errors.New("pki: malformed prime field")
	}
	var seed asn1.BitString
	if !dom.ReadASN1(&curve, cbasn1.SEQUENCE) ||
		!curve.ReadASN1(&aBytes, cbasn1.OCTET_STRING) ||
		!curve.ReadASN1(&bBytes, cbasn1.OCTET_STRING) ||
		(curve.PeekASN1Tag(cbasn1.BIT_STRING) && !curve.ReadASN1BitString(&seed)) || !curve.Empty() {
		return nil, errors.New("pki: malformed curve coefficients")
	}
	// Some issuers encode a and b like INTEGERs, with a leading zero byte;
	// the range check against p below is what matters.
	size := c.ByteLen() + 1
	if len(aBytes) > size || len(bBytes) > size {
		return nil, errors.New("pki: curve coefficient longer than the field")
	}
	c.A = new(big.Int).SetBytes(aBytes)
	c.B = new(big.Int).SetBytes(bBytes)
	if !dom.ReadASN1(&base, cbasn1.OCTET_STRING) || !dom.ReadASN1Integer(c.N) {
		return nil, errors.New("pki: malformed base point or order")
	}
	if dom.PeekASN1Tag(cbasn1.INTEGER) {
		c.Cofactor = new(big.Int)
		if !dom.ReadASN1Integer(c.Cofactor) {
			return nil, errors.New("pki: malformed cofactor")
		}
	}
	// An optional hash AlgorithmIdentifier (version 2 and 3) says nothing the
	// verifier needs; anything else after it is an error.
	if dom.PeekASN1Tag(cbasn1.SEQUENCE) {
		var skip cryptobyte.String
		dom.ReadASN1(&skip, cbasn1.SEQUENCE)
	}
	if !dom.Empty() {
		return nil, errors.New("pki: trailing data in explicit EC parameters")
	}
	if c.P.BitLen() < minFieldBits || c.P.Cmp(c.A) <= 0 || c.P.Cmp(c.B) <= 0 {
		return nil, errors.New("pki: explicit EC parameters out of range")
	}
	// Point decompression needs a prime modulus; known curves skip the test.
	if !knownPrime(c.P) && (c.P.Bit(0) == 0 || !c.P.ProbablyPrime(20)) {
		return nil, errors.New("pki: field modulus is not an odd prime")
	}
	gx, gy, err := decodePoint(c, base)
	if err != nil {
		return nil, fmt.Errorf("pki: base point: %w", err)
	}
	c.Gx, c.Gy = gx, gy
	// A known curve in explicit form: use the vetted constants and name.
	if nc, ok := curveByParams(c); ok {
		if c.Cofactor != nil && c.Cofactor.Cmp(nc.curve.Cofactor) != 0 {
			return nil, errors.New("pki: wrong cofactor for a named curve")
		}
		return nc.curve, nil
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodePoint reads an X9.62 point: uncompressed (04 X Y) or compressed
// (02/03 X). The point at infinity and anything off the curve are refused.
func decodePoint(c *Curve, b []byte) (x, y *big.Int, err error) {
	size := c.ByteLen()
	switch {
	case len(b) == 1+2*size && b[0] == 4:
		x = new(big.Int).SetBytes(b[1 : 1+size])
		y = new(big.Int).SetBytes(b[1+size:])
	case len(b) == 1+size && (b[0] == 2 || b[0] == 3):
		x = new(big.Int).SetBytes(b[1:])
		if x.Cmp(c.P) >= 0 {
			return nil, nil, errors.New("point x out of range")
		}
		rhs := new(big.Int).Exp(x, big.NewInt(3), c.P)
		rhs.Add(rhs, new(big.Int).Mul(c.A, x))
		rhs.Add(rhs, c.B).Mod(rhs, c.P)
		y = new(big.Int).ModSqrt(rhs, c.P)
		if y == nil {
			return nil, nil, errors.New("compressed point not on curve")
		}
		if y.Bit(0) != uint(b[0]&1) {
			y.Sub(c.P, y)
		}
	default:
		return nil, nil, errors.New("bad point encoding")
	}
	if !c.IsOnCurve(x, y) {
		return nil, nil, errors.New("point not on curve")
	}
	return x, y, nil
}
