package pki

import "math/big"

// arith is what point arithmetic on one curve needs: its field, the
// coefficient a, and for named curves a table of multiples of G built once.
// Nothing here is constant time; it only ever handles public values.
type arith struct {
	f *field
	a fe
	g []affine // odd multiples G, 3G, 5G, ... (see mult.go); nil: build per call
}

// point is (X/Z², Y/Z³) in Jacobian coordinates; Z = 0 is infinity.
type point struct{ x, y, z fe }

// affine is a point other than infinity with Z = 1.
type affine struct{ x, y fe }

func (p *point) isInfinity() bool { return p.z == fe{} }

func newArith(c *Curve) *arith {
	f := newField(c.P)
	if f == nil || c.A == nil || c.A.Sign() < 0 || c.A.Cmp(c.P) >= 0 {
		return nil
	}
	return &arith{f: f, a: f.load(c.A)}
}

// affineOf loads (x, y), which the caller has checked is on the curve.
func (ar *arith) affineOf(x, y *big.Int) affine {
	return affine{ar.f.load(x), ar.f.load(y)}
}

// double sets p = 2p with the general-a formulas S = 4·X·Y², M = 3·X² + a·Z⁴,
// X3 = M² - 2S, Y3 = M·(S - X3) - 8·Y⁴, Z3 = 2·Y·Z (4M + 6S). It needs no
// special case: for infinity or a point with Y = 0 it yields Z3 = 0.
// (Squarings cost as much as multiplications here, so the variants that
// trade multiplications for squarings and additions do not pay.)
func (ar *arith) double(p *point) {
	f := ar.f
	var xx, yy, s, m, t fe
	f.mul(&xx, &p.x, &p.x)
	f.mul(&yy, &p.y, &p.y)
	f.mul(&s, &p.x, &yy)
	f.add(&s, &s, &s)
	f.add(&s, &s, &s)
	f.mul(&m, &p.z, &p.z)
	f.mul(&m, &m, &m)
	f.mul(&m, &m, &ar.a)
	f.add(&m, &m, &xx)
	f.add(&xx, &xx, &xx)
	f.add(&m, &m, &xx)
	// Z3 first: it reads Y and Z, which are about to change.
	f.mul(&p.z, &p.y, &p.z)
	f.add(&p.z, &p.z, &p.z)
	f.mul(&t, &m, &m)
	f.sub(&t, &t, &s)
	f.sub(&p.x, &t, &s)
	f.sub(&t, &s, &p.x)
	f.mul(&t, &t, &m)
	f.mul(&yy, &yy, &yy)
	f.add(&yy, &yy, &yy)
	f.add(&yy, &yy, &yy)
	f.add(&yy, &yy, &yy)
	f.sub(&p.y, &t, &yy)
}

// addAffine sets p = p + q (mixed addition, madd-2004-hmv style: 8M + 3S).
// It handles every case: p infinity, p = q (doubling) and p = -q.
func (ar *arith) addAffine(p *point, q *affine) {
	f := ar.f
	if p.isInfinity() {
		p.x, p.y, p.z = q.x, q.y, f.one
		return
	}
	var zz, u2, s2, h, r, hh, hhh, v fe
	f.mul(&zz, &p.z, &p.z)
	f.mul(&u2, &q.x, &zz) // U2 = x2·Z1²
	f.mul(&s2, &q.y, &zz)
	f.mul(&s2, &s2, &p.z) // S2 = y2·Z1³
	f.sub(&h, &u2, &p.x)  // H = U2 - X1
	f.sub(&r, &s2, &p.y)  // R = S2 - Y1
	if h == (fe{}) {
		if r == (fe{}) {
			ar.double(p) // p = q
		} else {
			p.z = fe{} // p = -q
		}
		return
	}
	f.mul(&hh, &h, &h)
	f.mul(&hhh, &hh, &h)
	f.mul(&v, &p.x, &hh) // V = X1·H²
	// X3 = R² - H³ - 2V
	f.mul(&p.x, &r, &r)
	f.sub(&p.x, &p.x, &hhh)
	f.sub(&p.x, &p.x, &v)
	f.sub(&p.x, &p.x, &v)
	// Y3 = R·(V - X3) - Y1·H³
	f.sub(&v, &v, &p.x)
	f.mul(&v, &v, &r)
	f.mul(&hhh, &hhh, &p.y)
	f.sub(&p.y, &v, &hhh)
	// Z3 = Z1·H
	f.mul(&p.z, &p.z, &h)
}

// toAffine returns the coordinates of p, ok=false for infinity.
func (ar *arith) toAffine(p *point) (x, y *big.Int, ok bool) {
	if p.isInfinity() {
		return nil, nil, false
	}
	f := ar.f
	var zi, zi2, t fe
	f.inv(&zi, &p.z)
	f.mul(&zi2, &zi, &zi)
	f.mul(&t, &p.x, &zi2)
	x = f.store(&t)
	f.mul(&zi2, &zi2, &zi)
	f.mul(&t, &p.y, &zi2)
	return x, f.store(&t), true
}

// scalarMult returns k·(x, y) for k ≥ 0 by double-and-add, ok=false for
// infinity or a curve whose field is unusable. (x, y) must be on the curve.
func (c *Curve) scalarMult(x, y, k *big.Int) (rx, ry *big.Int, ok bool) {
	ar := c.arith()
	if ar == nil {
		return nil, nil, false
	}
	p := ar.mul(ar.affineOf(x, y), k)
	return ar.toAffine(&p)
}

// hasOrder reports whether k·(x, y) is the point at infinity; false when
// the curve's field is unusable, so callers fail closed.
func (c *Curve) hasOrder(x, y, k *big.Int) bool {
	ar := c.arith()
	if ar == nil || !c.IsOnCurve(x, y) {
		return false
	}
	p := ar.mul(ar.affineOf(x, y), k)
	return p.isInfinity()
}

func (ar *arith) mul(q affine, k *big.Int) point {
	var acc point
	for i := k.BitLen() - 1; i >= 0; i-- {
		ar.double(&acc)
		if k.Bit(i) == 1 {
			ar.addAffine(&acc, &q)
		}
	}
	return acc
}
