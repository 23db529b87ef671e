package aa

import (
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// parseUnsignedModulusRSA reads an RSA SubjectPublicKeyInfo whose modulus is
// written as an unsigned integer: top bit set and no leading zero byte, so
// that DER reads it as negative. Early chips do this (the BSI 2008 specimen's
// DG15 does), and crypto/x509, hence pki, refuses it. A negative modulus has
// no meaning, and DG15 is signed by the issuer, so the bytes are read as the
// unsigned number they were meant to be. Only that one deviation is
// tolerated; everything else must be DER.
func parseUnsignedModulusRSA(spki []byte) (*rsa.PublicKey, error) {
	in := cryptobyte.String(spki)
	var body, alg, params, pkcs1 cryptobyte.String
	var bits asn1.BitString
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !in.Empty() ||
		!body.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1(&params, cbasn1.OBJECT_IDENTIFIER) ||
		!(alg.Empty() || (alg.ReadASN1(&params, cbasn1.NULL) && params.Empty() && alg.Empty())) ||
		!body.ReadASN1BitString(&bits) || !body.Empty() || bits.BitLength%8 != 0 {
		return nil, errors.New("malformed RSA SubjectPublicKeyInfo")
	}
	pkcs1 = bits.Bytes
	var key, mod cryptobyte.String
	e := new(big.Int)
	if !pkcs1.ReadASN1(&key, cbasn1.SEQUENCE) || !pkcs1.Empty() ||
		!key.ReadASN1(&mod, cbasn1.INTEGER) || !key.ReadASN1Integer(e) || !key.Empty() {
		return nil, errors.New("malformed RSAPublicKey")
	}
	if len(mod) == 0 || mod[0]&0x80 == 0 {
		return nil, errors.New("RSA modulus is not an unsigned-encoded integer")
	}
	if e.Sign() <= 0 || !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, errors.New("RSA public exponent out of range")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(mod), E: int(e.Int64())}, nil
}
