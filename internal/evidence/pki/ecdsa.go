package pki

import (
	"crypto/ecdsa"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ECPublicKey is an ECDSA public key on any prime curve, named or given by
// explicit parameters.
type ECPublicKey struct {
	Curve *Curve
	X, Y  *big.Int
	// Explicit is true when the key came with explicit domain parameters
	// rather than a curve OID (Curve.Name is still set for a known curve).
	Explicit bool
}

// NewECPublicKey checks that (x, y) is a point of the curve other than
// infinity (the affine form excludes it) and returns the key.
func NewECPublicKey(c *Curve, x, y *big.Int) (*ECPublicKey, error) {
	if c == nil || !c.complete() || !c.IsOnCurve(x, y) {
		return nil, errors.New("pki: EC public point not on curve")
	}
	// Unless the cofactor is known to be 1, a point on the curve can lie
	// outside the subgroup of order n; such keys are refused.
	if (c.Cofactor == nil || c.Cofactor.Cmp(big.NewInt(1)) != 0) && !c.hasOrder(x, y, c.N) {
		return nil, errors.New("pki: EC public point not in the prime-order subgroup")
	}
	return &ECPublicKey{Curve: c, X: x, Y: y}, nil
}

// VerifyASN1 verifies a DER Ecdsa-Sig-Value {r, s} over a message digest.
func (k *ECPublicKey) VerifyASN1(digest, sig []byte) bool {
	r, s, ok := parseECDSASig(sig)
	return ok && k.Verify(digest, r, s)
}

// Verify checks an ECDSA signature (r, s) over a digest. NIST curves go to
// crypto/ecdsa; every other curve uses the generic arithmetic.
func (k *ECPublicKey) Verify(digest []byte, r, s *big.Int) bool {
	if k == nil || k.Curve == nil || !k.Curve.complete() || k.X == nil || k.Y == nil {
		return false
	}
	if std := stdCurve(k.Curve); std != nil {
		pub := &ecdsa.PublicKey{Curve: std, X: k.X, Y: k.Y}
		return r != nil && s != nil && r.Sign() > 0 && s.Sign() > 0 && ecdsa.Verify(pub, digest, r, s)
	}
	return k.verifyGeneric(digest, r, s)
}

// verifyGeneric is textbook ECDSA verification (SEC 1 section 4.1.4).
func (k *ECPublicKey) verifyGeneric(digest []byte, r, s *big.Int) bool {
	c := k.Curve
	n := c.N
	if r == nil || s == nil || r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return false
	}
	if !c.IsOnCurve(k.X, k.Y) {
		return false
	}
	e := hashToInt(digest, n)
	w := new(big.Int).ModInverse(s, n)
	if w == nil {
		return false
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	ar := c.arith()
	if ar == nil {
		return false
	}
	p := ar.combinedMult(c, ar.affineOf(k.X, k.Y), u1, u2)
	x, _, ok := ar.toAffine(&p)
	if !ok {
		return false
	}
	x.Mod(x, n)
	return x.Cmp(r) == 0
}

// hashToInt takes the leftmost bitlen(n) bits of the digest, as SEC 1 says.
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	if size := (bits + 7) / 8; len(digest) > size {
		digest = digest[:size]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// parseECDSASig reads Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
// strictly: DER only, nothing after it.
func parseECDSASig(sig []byte) (r, s *big.Int, ok bool) {
	var inner cryptobyte.String
	in := cryptobyte.String(sig)
	r, s = new(big.Int), new(big.Int)
	if !in.ReadASN1(&inner, cbasn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) || !inner.Empty() {
		return nil, nil, false
	}
	return r, s, true
}
