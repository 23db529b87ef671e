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

// scratch holds the temporaries of one chain of point operations, so a
// verification allocates a few big.Ints instead of thousands.
type scratch struct {
	t [12]big.Int
	q big.Int // quotient of reductions, reused
}

// mod reduces x into [0, P) in place. QuoRem with a kept quotient avoids
// the allocation big.Int.Mod makes each call.
func (sc *scratch) mod(x, p *big.Int) *big.Int {
	sc.q.QuoRem(x, p, x)
	if x.Sign() < 0 {
		x.Add(x, p)
	}
	return x
}

func (p *jacobian) set(q *jacobian) {
	p.x.Set(q.x)
	p.y.Set(q.y)
	p.z.Set(q.z)
}

func (c *Curve) mulMod(dst, a, b *big.Int, sc *scratch) *big.Int {
	dst.Mul(a, b)
	return sc.mod(dst, c.P)
}

// doubleInto sets dst = 2p with the general-a formula: M = 3X² + aZ⁴,
// S = 4XY². dst may be p.
func (c *Curve) doubleInto(dst, p *jacobian, sc *scratch) {
	if p.isInfinity() || p.y.Sign() == 0 {
		dst.z.SetInt64(0)
		return
	}
	t := &sc.t
	yy, s, zz, m, x3, y3, z3 := &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6]
	c.mulMod(yy, p.y, p.y, sc)
	c.mulMod(s, p.x, yy, sc)
	s.Lsh(s, 2)
	sc.mod(s, c.P)
	c.mulMod(zz, p.z, p.z, sc)
	c.mulMod(m, zz, zz, sc)
	c.mulMod(m, m, c.A, sc)
	c.mulMod(&t[7], p.x, p.x, sc)
	t[7].Mul(&t[7], big3)
	m.Add(m, &t[7])
	sc.mod(m, c.P)

	x3.Mul(m, m)
	x3.Sub(x3, s).Sub(x3, s)
	sc.mod(x3, c.P)
	y3.Sub(s, x3)
	c.mulMod(y3, y3, m, sc)
	c.mulMod(yy, yy, yy, sc)
	yy.Lsh(yy, 3)
	y3.Sub(y3, yy)
	sc.mod(y3, c.P)
	c.mulMod(z3, p.y, p.z, sc)
	z3.Lsh(z3, 1)
	sc.mod(z3, c.P)
	dst.x.Set(x3)
	dst.y.Set(y3)
	dst.z.Set(z3)
}

// addInto sets dst = p + q; dst may be p or q.
func (c *Curve) addInto(dst, p, q *jacobian, sc *scratch) {
	if p.isInfinity() {
		dst.set(q)
		return
	}
	if q.isInfinity() {
		dst.set(p)
		return
	}
	t := &sc.t
	z1z1, z2z2, u1, u2, s1, s2, h, r := &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7]
	c.mulMod(z1z1, p.z, p.z, sc)
	c.mulMod(z2z2, q.z, q.z, sc)
	c.mulMod(u1, p.x, z2z2, sc)
	c.mulMod(u2, q.x, z1z1, sc)
	c.mulMod(s1, p.y, q.z, sc)
	c.mulMod(s1, s1, z2z2, sc)
	c.mulMod(s2, q.y, p.z, sc)
	c.mulMod(s2, s2, z1z1, sc)
	h.Sub(u2, u1)
	sc.mod(h, c.P)
	r.Sub(s2, s1)
	sc.mod(r, c.P)
	if h.Sign() == 0 {
		if r.Sign() == 0 {
			c.doubleInto(dst, p, sc)
			return
		}
		dst.z.SetInt64(0)
		return
	}
	hh, hhh, v := z1z1, z2z2, u2 // reuse: their old values are no longer needed
	c.mulMod(hh, h, h, sc)
	c.mulMod(hhh, hh, h, sc)
	c.mulMod(v, u1, hh, sc)
	x3, y3 := &t[8], &t[9]
	x3.Mul(r, r)
	x3.Sub(x3, hhh).Sub(x3, v).Sub(x3, v)
	sc.mod(x3, c.P)
	y3.Sub(v, x3)
	y3.Mul(y3, r)
	s1.Mul(s1, hhh)
	y3.Sub(y3, s1)
	sc.mod(y3, c.P)
	z3 := &t[10]
	c.mulMod(z3, p.z, q.z, sc)
	c.mulMod(z3, z3, h, sc)
	dst.x.Set(x3)
	dst.y.Set(y3)
	dst.z.Set(z3)
}

var big3 = big.NewInt(3)

func (c *Curve) double(p jacobian) jacobian {
	out := infinity()
	c.doubleInto(&out, &p, new(scratch))
	return out
}

func (c *Curve) add(p, q jacobian) jacobian {
	out := infinity()
	c.addInto(&out, &p, &q, new(scratch))
	return out
}

// scalarMult computes k·(x, y) by double-and-add. Not constant time: it is
// only used on public values (verification and parameter checks).
func (c *Curve) scalarMult(x, y, k *big.Int) jacobian {
	base := c.fromAffine(x, y)
	acc := infinity()
	sc := new(scratch)
	for i := k.BitLen() - 1; i >= 0; i-- {
		c.doubleInto(&acc, &acc, sc)
		if k.Bit(i) == 1 {
			c.addInto(&acc, &acc, &base, sc)
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
	sc := new(scratch)
	n := max(u1.BitLen(), u2.BitLen())
	for i := n - 1; i >= 0; i-- {
		c.doubleInto(&acc, &acc, sc)
		switch u1.Bit(i)<<1 | u2.Bit(i) {
		case 3:
			c.addInto(&acc, &acc, &gq, sc)
		case 2:
			c.addInto(&acc, &acc, &g, sc)
		case 1:
			c.addInto(&acc, &acc, &q, sc)
		}
	}
	return acc
}
