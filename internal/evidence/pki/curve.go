package pki

import (
	"errors"
	"fmt"
	"math/big"
)

// Curve is a short-Weierstrass curve y² = x³ + ax + b over the prime field
// GF(P) with a base point (Gx, Gy) of prime order N. Unlike crypto/elliptic
// it allows any a, which the brainpool "r1" curves need.
type Curve struct {
	Name     string // "brainpoolP256r1", "P-256", or "" for unnamed explicit parameters
	P, A, B  *big.Int
	Gx, Gy   *big.Int
	N        *big.Int
	Cofactor *big.Int // nil when the parameters left it out
}

// Limits on explicit parameters: they bound the work an input can cause.
const (
	minFieldBits = 160
	maxFieldBits = 1024
)

// ByteLen is the length of one encoded field element.
func (c *Curve) ByteLen() int { return (c.P.BitLen() + 7) / 8 }

// IsOnCurve reports whether (x, y) is an affine point of the curve with
// coordinates reduced mod P. The point at infinity has no affine form and
// is never on the curve here.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	rhs := new(big.Int).Mul(x, x)
	rhs.Mul(rhs, x)
	ax := new(big.Int).Mul(c.A, x)
	rhs.Add(rhs, ax)
	rhs.Add(rhs, c.B)
	rhs.Mod(rhs, c.P)
	return lhs.Cmp(rhs) == 0
}

// complete reports whether every parameter the arithmetic reads is set, so
// a hand-built incomplete Curve fails verification instead of panicking.
func (c *Curve) complete() bool {
	return c.P != nil && c.A != nil && c.B != nil && c.Gx != nil && c.Gy != nil && c.N != nil
}

// SameParameters reports whether two curves are the same group: equal p, a,
// b, base point and order. Names and cofactor presence do not matter.
func (c *Curve) SameParameters(o *Curve) bool {
	return c.P.Cmp(o.P) == 0 && c.A.Cmp(o.A) == 0 && c.B.Cmp(o.B) == 0 &&
		c.Gx.Cmp(o.Gx) == 0 && c.Gy.Cmp(o.Gy) == 0 && c.N.Cmp(o.N) == 0
}

// Validate checks explicit parameters before they are used: sizes in range,
// p and n prime, a and b reduced, non-singular, G on the curve and of order n.
// Named curves pass by construction; this is for parameters read from input.
func (c *Curve) Validate() error {
	if !c.complete() {
		return errors.New("pki: incomplete curve parameters")
	}
	if bl := c.P.BitLen(); bl < minFieldBits || bl > maxFieldBits {
		return fmt.Errorf("pki: field size %d bits out of range", bl)
	}
	if c.P.Bit(0) == 0 || !c.P.ProbablyPrime(20) {
		return errors.New("pki: field modulus is not an odd prime")
	}
	if c.A.Sign() < 0 || c.A.Cmp(c.P) >= 0 || c.B.Sign() < 0 || c.B.Cmp(c.P) >= 0 {
		return errors.New("pki: curve coefficient not reduced")
	}
	// 4a³ + 27b² ≠ 0 (mod p): otherwise the curve is singular.
	d := new(big.Int).Exp(c.A, big.NewInt(3), c.P)
	d.Mul(d, big.NewInt(4))
	b2 := new(big.Int).Mul(c.B, c.B)
	b2.Mul(b2, big.NewInt(27))
	d.Add(d, b2)
	if d.Mod(d, c.P).Sign() == 0 {
		return errors.New("pki: singular curve")
	}
	// Order checks: n prime and large enough (Hasse bound lets n exceed p by
	// little; small n makes discrete logs easy).
	if c.N.BitLen() < minFieldBits-2 || c.N.BitLen() > c.P.BitLen()+1 || !c.N.ProbablyPrime(20) {
		return errors.New("pki: group order is not a large prime")
	}
	if c.Cofactor != nil && c.Cofactor.Sign() <= 0 {
		return errors.New("pki: cofactor must be positive")
	}
	if !c.IsOnCurve(c.Gx, c.Gy) {
		return errors.New("pki: base point not on curve")
	}
	if !c.hasOrder(c.Gx, c.Gy, c.N) {
		return errors.New("pki: base point order is not n")
	}
	return nil
}
