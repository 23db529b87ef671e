package aa

import (
	"crypto"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RSA modulus sizes accepted. Below 1024 bits a key is forgeable in practice;
// above 4096 no chip exists and verification cost is the caller's problem.
const (
	MinRSABits = 1024
	MaxRSABits = 4096
)

var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// PublicKey is the Active Authentication key from DG15. Key is an
// *rsa.PublicKey or a *pki.ECPublicKey. Type names it for reports, e.g.
// "RSA-1024" or "EC brainpoolP256r1".
type PublicKey struct {
	Key  crypto.PublicKey
	Type string
}

// ParseDG15 reads EF.DG15: tag 0x6F around a DER SubjectPublicKeyInfo. b is
// the whole file as read from the chip. A key of a type or size that Verify
// cannot check is refused with ReasonUnsupported; anything unreadable with
// ReasonKeyMalformed.
func ParseDG15(b []byte) (*PublicKey, error) {
	spki, err := unwrap(b, 0x6F)
	if err != nil {
		return nil, fail(ReasonKeyMalformed, "DG15: %v", err)
	}
	alg, err := spkiAlgorithm(spki)
	if err != nil {
		return nil, fail(ReasonKeyMalformed, "DG15: %v", err)
	}
	if !alg.Equal(oidRSAEncryption) && !alg.Equal(oidRSASSAPSS) && !alg.Equal(oidECPublicKey) {
		return nil, fail(ReasonUnsupported, "DG15 key algorithm %s", alg)
	}
	pub, err := pki.ParsePublicKey(spki)
	if err != nil && alg.Equal(oidRSAEncryption) {
		if k, lerr := parseUnsignedModulusRSA(spki); lerr == nil {
			pub, err = k, nil
		}
	}
	if err != nil {
		// pki's messages are technical (no key bytes), fit for a log.
		return nil, fail(ReasonKeyMalformed, "DG15: %v", err)
	}
	return newPublicKey(pub)
}

// newPublicKey checks that Verify can use the key and names it.
func newPublicKey(pub crypto.PublicKey) (*PublicKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		// ISO 9796-2 places its header in the top byte, so the modulus must
		// fill whole bytes; every AA key seen in the field does.
		if bits < MinRSABits || bits > MaxRSABits || bits%8 != 0 {
			return nil, fail(ReasonUnsupported, "RSA modulus of %d bits", bits)
		}
		// e = 1 would make every integer its own signature; even e is Rabin
		// (ISO 9796-2 handles it differently and no chip uses it).
		if k.E < 3 || k.E%2 == 0 {
			return nil, fail(ReasonUnsupported, "RSA public exponent %d", k.E)
		}
		return &PublicKey{Key: k, Type: fmt.Sprintf("RSA-%d", bits)}, nil
	case *pki.ECPublicKey:
		return &PublicKey{Key: k, Type: "EC " + curveName(k.Curve)}, nil
	}
	// pki returns *pki.ECPublicKey for every curve; anything else is new to
	// this package and refused rather than guessed at.
	return nil, fail(ReasonUnsupported, "key type %T", pub)
}

func curveName(c *pki.Curve) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("explicit-%d", c.P.BitLen())
}

// spkiAlgorithm reads just the algorithm OID of a SubjectPublicKeyInfo, so an
// unknown key type can be told apart from a broken encoding.
func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, error) {
	in := cryptobyte.String(spki)
	var body, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("malformed SubjectPublicKeyInfo")
	}
	return oid, nil
}
