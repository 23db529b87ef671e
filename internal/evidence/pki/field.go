package pki

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// maxLimbs is the number of 64-bit words of the largest field allowed.
const maxLimbs = maxFieldBits / 64

// fe is a field element in Montgomery form (x·R mod p, R = 2^(64·n)),
// little-endian. Only the first n limbs are used; the rest stay zero, so ==
// compares elements. A fixed array keeps point arithmetic free of
// allocations, which is most of the gain over math/big.
type fe [maxLimbs]uint64

// field is GF(p) for an odd p with Montgomery multiplication. None of it is
// constant time: it only ever handles public values (signatures, public keys
// and curve parameters), never a secret.
type field struct {
	n    int    // limbs in use
	p    fe     // the modulus, plain (not Montgomery) form
	pinv uint64 // -p⁻¹ mod 2⁶⁴
	rr   fe     // R² mod p, plain form: mul(x, rr) converts x to Montgomery form
	one  fe     // R mod p: 1 in Montgomery form
	pBig *big.Int
}

// newField returns GF(p), or nil when p is not odd, or not in (2, 2^maxFieldBits).
// Primality is the caller's concern (Curve.Validate).
func newField(p *big.Int) *field {
	if p == nil || p.Sign() <= 0 || p.Bit(0) == 0 || p.BitLen() < 2 || p.BitLen() > maxFieldBits {
		return nil
	}
	f := &field{n: (p.BitLen() + 63) / 64, pBig: new(big.Int).Set(p)}
	f.p = f.limbs(p)
	// Newton's iteration doubles the correct low bits of p⁻¹ mod 2⁶⁴ each
	// step; p·1 ≡ 1 mod 2 to start, so six steps give all 64.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - f.p[0]*inv
	}
	f.pinv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*f.n))
	f.one = f.limbs(new(big.Int).Mod(r, p))
	f.rr = f.limbs(r.Mod(r.Mul(r, r), p))
	return f
}

// limbs splits a value in [0, 2^(64n)) into words, without conversion.
func (f *field) limbs(x *big.Int) fe {
	var buf [maxLimbs * 8]byte
	b := x.FillBytes(buf[:8*f.n])
	var z fe
	for i := range f.n {
		z[i] = binary.BigEndian.Uint64(b[len(b)-8*(i+1):])
	}
	return z
}

// load converts x in [0, p) to Montgomery form.
func (f *field) load(x *big.Int) fe {
	z := f.limbs(x)
	f.mul(&z, &z, &f.rr)
	return z
}

// store converts back from Montgomery form.
func (f *field) store(x *fe) *big.Int {
	z := fe{1}
	f.mul(&z, x, &z)
	var buf [maxLimbs * 8]byte
	b := buf[:8*f.n]
	for i := range f.n {
		binary.BigEndian.PutUint64(b[len(b)-8*(i+1):], z[i])
	}
	return new(big.Int).SetBytes(b)
}

// mul sets z = x·y·R⁻¹ mod p (coarsely integrated operand scanning). x and
// y must be below p; z may alias either.
func (f *field) mul(z, x, y *fe) {
	n := f.n
	var t [maxLimbs + 2]uint64
	// Slices of length n let the compiler drop bounds checks in the loops.
	ys, ps, ts := y[:n], f.p[:n], t[:n]
	for i := range n {
		// t += x[i]·y
		var c, cc, hi, lo uint64
		xi := x[i]
		for j, yj := range ys {
			hi, lo = bits.Mul64(xi, yj)
			lo, cc = bits.Add64(lo, ts[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc // no overflow: (2⁶⁴-1)² + 2·(2⁶⁴-1) < 2¹²⁸
			ts[j], c = lo, hi
		}
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc
		// t = (t + m·p) / 2⁶⁴, with m chosen so the low word vanishes.
		m := ts[0] * f.pinv
		hi, lo = bits.Mul64(m, ps[0])
		_, cc = bits.Add64(lo, ts[0], 0)
		c = hi + cc
		for j := 1; j < len(ps); j++ {
			hi, lo = bits.Mul64(m, ps[j])
			lo, cc = bits.Add64(lo, ts[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			ts[j-1], c = lo, hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	// t < 2p: subtract p once if t ≥ p.
	f.reduceOnce(z, t[:n+1])
}

// reduceOnce sets z = t - p if t ≥ p, else t; t has n+1 words, t < 2p.
func (f *field) reduceOnce(z *fe, t []uint64) {
	n := f.n
	var d fe
	var b uint64
	for j := range n {
		d[j], b = bits.Sub64(t[j], f.p[j], b)
	}
	if t[n] != 0 || b == 0 {
		copy(z[:n], d[:n])
	} else {
		copy(z[:n], t[:n])
	}
}

// add sets z = x + y mod p.
func (f *field) add(z, x, y *fe) {
	var t [maxLimbs + 1]uint64
	var c uint64
	for j := range f.n {
		t[j], c = bits.Add64(x[j], y[j], c)
	}
	t[f.n] = c
	f.reduceOnce(z, t[:f.n+1])
}

// sub sets z = x - y mod p.
func (f *field) sub(z, x, y *fe) {
	var b, c uint64
	for j := range f.n {
		z[j], b = bits.Sub64(x[j], y[j], b)
	}
	if b != 0 { // went below zero: add p back
		for j := range f.n {
			z[j], c = bits.Add64(z[j], f.p[j], c)
		}
	}
}

// neg sets z = -x mod p.
func (f *field) neg(z, x *fe) {
	var zero fe
	f.sub(z, &zero, x)
}

// inv sets z = x⁻¹ (Montgomery form in and out); x must not be zero.
// math/big's binary GCD is far faster here than Fermat's exponentiation.
func (f *field) inv(z, x *fe) {
	v := f.store(x)
	v.ModInverse(v, f.pBig)
	*z = f.load(v)
}
