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
	if c.P == nil || c.A == nil || c.B == nil || c.Gx == nil || c.Gy == nil || c.N == nil {
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
	if !c.scalarMult(c.Gx, c.Gy, c.N).isInfinity() {
		return errors.New("pki: base point order is not n")
	}
	return nil
}

// jacobian is a point (X/Z², Y/Z³); Z = 0 is the point at infinity.
type jacobian struct{ x, y, z *big.Int }

func (p jacobian) isInfinity() bool { return p.z.Sign() == 0 }

func infinity() jacobian { return jacobian{new(big.Int), new(big.Int), new(big.Int)} }

func (c *Curve) fromAffine(x, y *big.Int) jacobian {
	return jacobian{new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)}
}

// toAffine returns ok=false for the point at infinity.
func (c *Curve) toAffine(p jacobian) (x, y *big.Int, ok bool) {
	if p.isInfinity() {
		return nil, nil, false
	}
	zinv := new(big.Int).ModInverse(p.z, c.P)
	zinv2 := new(big.Int).Mul(zinv, zinv)
	zinv2.Mod(zinv2, c.P)
	x = new(big.Int).Mul(p.x, zinv2)
	x.Mod(x, c.P)
	zinv2.Mul(zinv2, zinv)
	y = new(big.Int).Mul(p.y, zinv2)
	y.Mod(y, c.P)
	return x, y, true
}

// double uses the general-a formula: M = 3X² + aZ⁴, S = 4XY².
func (c *Curve) double(p jacobian) jacobian {
	if p.isInfinity() || p.y.Sign() == 0 {
		return infinity()
	}
	P := c.P
	yy := new(big.Int).Mul(p.y, p.y)
	yy.Mod(yy, P)
	s := new(big.Int).Mul(p.x, yy)
	s.Lsh(s, 2).Mod(s, P)
	zz := new(big.Int).Mul(p.z, p.z)
	zz.Mod(zz, P)
	m := new(big.Int).Mul(zz, zz)
	m.Mod(m, P).Mul(m, c.A)
	xx := new(big.Int).Mul(p.x, p.x)
	xx.Mul(xx, big.NewInt(3))
	m.Add(m, xx).Mod(m, P)

	x3 := new(big.Int).Mul(m, m)
	x3.Sub(x3, s).Sub(x3, s).Mod(x3, P)
	y3 := new(big.Int).Sub(s, x3)
	y3.Mul(y3, m)
	yy.Mul(yy, yy).Lsh(yy, 3)
	y3.Sub(y3, yy).Mod(y3, P)
	z3 := new(big.Int).Mul(p.y, p.z)
	z3.Lsh(z3, 1).Mod(z3, P)
	return jacobian{x3, y3, z3}
}

func (c *Curve) add(p, q jacobian) jacobian {
	if p.isInfinity() {
		return q
	}
	if q.isInfinity() {
		return p
	}
	P := c.P
	z1z1 := new(big.Int).Mul(p.z, p.z)
	z1z1.Mod(z1z1, P)
	z2z2 := new(big.Int).Mul(q.z, q.z)
	z2z2.Mod(z2z2, P)
	u1 := new(big.Int).Mul(p.x, z2z2)
	u1.Mod(u1, P)
	u2 := new(big.Int).Mul(q.x, z1z1)
	u2.Mod(u2, P)
	s1 := new(big.Int).Mul(p.y, q.z)
	s1.Mul(s1, z2z2).Mod(s1, P)
	s2 := new(big.Int).Mul(q.y, p.z)
	s2.Mul(s2, z1z1).Mod(s2, P)
	h := new(big.Int).Sub(u2, u1)
	h.Mod(h, P)
	r := new(big.Int).Sub(s2, s1)
	r.Mod(r, P)
	if h.Sign() == 0 {
		if r.Sign() == 0 {
			return c.double(p)
		}
		return infinity()
	}
	hh := new(big.Int).Mul(h, h)
	hh.Mod(hh, P)
	hhh := new(big.Int).Mul(hh, h)
	hhh.Mod(hhh, P)
	v := new(big.Int).Mul(u1, hh)
	v.Mod(v, P)
	x3 := new(big.Int).Mul(r, r)
	x3.Sub(x3, hhh).Sub(x3, v).Sub(x3, v).Mod(x3, P)
	y3 := new(big.Int).Sub(v, x3)
	y3.Mul(y3, r)
	s1.Mul(s1, hhh)
	y3.Sub(y3, s1).Mod(y3, P)
	z3 := new(big.Int).Mul(p.z, q.z)
	z3.Mul(z3, h).Mod(z3, P)
	return jacobian{x3, y3, z3}
}

// scalarMult computes k·(x, y) by double-and-add. Not constant time: it is
// only used on public values (verification and parameter checks).
func (c *Curve) scalarMult(x, y, k *big.Int) jacobian {
	base := c.fromAffine(x, y)
	acc := infinity()
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = c.double(acc)
		if k.Bit(i) == 1 {
			acc = c.add(acc, base)
		}
	}
	return acc
}

// combinedMult computes u1·G + u2·Q with Shamir's trick: one shared chain of
// doublings instead of two.
func (c *Curve) combinedMult(qx, qy, u1, u2 *big.Int) jacobian {
	g := c.fromAffine(c.Gx, c.Gy)
	q := c.fromAffine(qx, qy)
	gq := c.add(g, q)
	acc := infinity()
	n := max(u1.BitLen(), u2.BitLen())
	for i := n - 1; i >= 0; i-- {
		acc = c.double(acc)
		switch u1.Bit(i)<<1 | u2.Bit(i) {
		case 3:
			acc = c.add(acc, gq)
		case 2:
			acc = c.add(acc, g)
		case 1:
			acc = c.add(acc, q)
		}
	}
	return acc
}
