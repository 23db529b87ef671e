package pki

import (
	"math/big"
	"sync"
)

// Window widths of the width-w NAF scalars. G's table is built once per
// named curve, so it can be wide (2^(w-2) points); Q's is built on every
// verification, where a narrow window costs less than it saves.
const (
	wG     = 7 // 32 cached multiples of G
	wQ     = 5 // 8 multiples of Q per verification
	wGOnce = 5 // G's window on curves with no cached table
)

// namedArith holds the arithmetic of each named curve, built the first
// time the curve is used (so the G table costs nothing for unused curves).
// The map itself is fixed after creation; only the OnceValues fill in.
var namedArith = sync.OnceValue(func() map[*Curve]func() *arith {
	m := make(map[*Curve]func() *arith, len(namedCurves))
	for _, nc := range namedCurves {
		c := nc.curve
		m[c] = sync.OnceValue(func() *arith {
			ar := newArith(c)
			ar.g = ar.oddMultiples(ar.affineOf(c.Gx, c.Gy), wG)
			return ar
		})
	}
	return m
})

// arith returns the arithmetic for c, or nil when c.P or c.A cannot be
// used. Parameters equal to a named curve share its cached tables: same
// group, same multiples of G.
func (c *Curve) arith() *arith {
	if nc, ok := curveByParams(c); ok {
		return namedArith()[nc.curve]()
	}
	return newArith(c)
}

// oddMultiples returns q, 3q, 5q, ..., (2^(w-1)-1)q in affine form, for a
// q of order greater than 2^(w-1) (true of any point of a large prime-order
// group), so no entry is infinity.
func (ar *arith) oddMultiples(q affine, w uint) []affine {
	n := 1 << (w - 2)
	jac := make([]point, n)
	two := point{q.x, q.y, ar.f.one}
	ar.double(&two)
	twoAff, ok := ar.normalize([]point{two})
	if !ok {
		return nil
	}
	jac[0] = point{q.x, q.y, ar.f.one}
	for i := 1; i < n; i++ {
		jac[i] = jac[i-1]
		ar.addAffine(&jac[i], &twoAff[0])
	}
	out, ok := ar.normalize(jac)
	if !ok {
		return nil
	}
	return out
}

// normalize converts points to affine form with one inversion (Montgomery's
// trick: invert the product of all Zs, then peel off each inverse). It fails
// if any point is infinity.
func (ar *arith) normalize(ps []point) ([]affine, bool) {
	f := ar.f
	prefix := make([]fe, len(ps)) // prefix[i] = Z0·…·Zi
	acc := f.one
	for i := range ps {
		if ps[i].isInfinity() {
			return nil, false
		}
		f.mul(&acc, &acc, &ps[i].z)
		prefix[i] = acc
	}
	var inv, zi, zi2 fe
	f.inv(&inv, &acc) // (Z0·…·Zn-1)⁻¹
	out := make([]affine, len(ps))
	for i := len(ps) - 1; i >= 0; i-- {
		if i > 0 {
			f.mul(&zi, &inv, &prefix[i-1]) // Zi⁻¹
			f.mul(&inv, &inv, &ps[i].z)    // (Z0·…·Zi-1)⁻¹
		} else {
			zi = inv
		}
		f.mul(&zi2, &zi, &zi)
		f.mul(&out[i].x, &ps[i].x, &zi2)
		f.mul(&zi2, &zi2, &zi)
		f.mul(&out[i].y, &ps[i].y, &zi2)
	}
	return out, true
}

// wnaf writes k (0 ≤ k < 2^(len(d)-1)) in width-w non-adjacent form: k =
// Σ d[i]·2^i with every nonzero d[i] odd, |d[i]| < 2^(w-1), and at least
// w-1 zeros after each nonzero digit, so about one addition per w+1 bits.
func wnaf(d []int8, k *big.Int, w uint) {
	clear(d)
	carry := uint(0)
	for i := 0; i < len(d); {
		if k.Bit(i) == carry {
			i++ // digit 0; a carry into a set bit moves on up
			continue
		}
		width := min(int(w), len(d)-i)
		word := carry
		for j := range width {
			word += k.Bit(i+j) << j
		}
		carry = (word >> (w - 1)) & 1 // take word - 2^w when word ≥ 2^(w-1)
		d[i] = int8(int(word) - int(carry<<w))
		i += width
	}
}

// lookup returns table entry for an odd digit d, negated when d < 0.
func (ar *arith) lookup(table []affine, d int8) affine {
	if d > 0 {
		return table[d/2]
	}
	q := table[-d/2]
	ar.f.neg(&q.y, &q.y)
	return q
}

// combinedMult computes u1·G + u2·Q (u1, u2 < 2^bitlen(N)) by Straus'
// method: one chain of doublings, wNAF digits of both scalars, and tables
// of odd multiples of G and Q. It returns infinity when Q or G has small
// order, which the caller's prime-order checks rule out.
func (ar *arith) combinedMult(c *Curve, q affine, u1, u2 *big.Int) point {
	var acc point
	gt, wg := ar.g, uint(wG)
	if gt == nil {
		gt, wg = ar.oddMultiples(ar.affineOf(c.Gx, c.Gy), wGOnce), wGOnce
	}
	qt := ar.oddMultiples(q, wQ)
	if gt == nil || qt == nil {
		return acc
	}
	n := max(u1.BitLen(), u2.BitLen()) + 1
	d1, d2 := make([]int8, n), make([]int8, n)
	wnaf(d1, u1, wg)
	wnaf(d2, u2, wQ)
	for i := n - 1; i >= 0; i-- {
		ar.double(&acc)
		if d := d1[i]; d != 0 {
			t := ar.lookup(gt, d)
			ar.addAffine(&acc, &t)
		}
		if d := d2[i]; d != 0 {
			t := ar.lookup(qt, d)
			ar.addAffine(&acc, &t)
		}
	}
	return acc
}
