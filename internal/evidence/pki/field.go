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

// mul sets z = x·y·R⁻¹ mod p. x and y must be below p; z may alias either.
//
// It scans the product column by column (FIPS: finely integrated product
// scanning), interleaving the Montgomery reduction: the running sum of each
// column lives in three registers, where operand scanning would load and
// store a temporary word per multiplication.
func (f *field) mul(z, x, y *fe) {
	n := f.n
	var m, t fe // m: reduction multipliers; t: result words
	xs, ys, ps, ms := x[:n], y[:n], f.p[:n], m[:n]
	var c0, c1, c2 uint64 // column accumulator, c2:c1:c0
	mac := func(a, b uint64) {
		hi, lo := bits.Mul64(a, b)
		var cc uint64
		c0, cc = bits.Add64(c0, lo, 0)
		c1, cc = bits.Add64(c1, hi, cc)
		c2 += cc
	}
	for i := range n {
		for j := range i {
			mac(xs[j], ys[i-j])
			mac(ms[j], ps[i-j])
		}
		mac(xs[i], ys[0])
		ms[i] = c0 * f.pinv
		mac(ms[i], ps[0]) // clears c0
		c0, c1, c2 = c1, c2, 0
	}
	for i := n; i < 2*n; i++ {
		for j := i - n + 1; j < n; j++ {
			mac(xs[j], ys[i-j])
			mac(ms[j], ps[i-j])
		}
		t[i-n] = c0
		c0, c1, c2 = c1, c2, 0
	}
	// The result t + c0·R is below 2p: subtract p once if it is ≥ p.
	var d fe
	var b uint64
	for j := range n {
		d[j], b = bits.Sub64(t[j], ps[j], b)
	}
	if c0 == 0 && b != 0 { // t < p already
		d = t
	}
	copy(z[:n], d[:n])
}

// reduceOnce sets z = t - p if t ≥ p, else t; t has n+1 words, t < 2p.
func (f *field) reduceOnce(z *fe, t []uint64) {
	n := f.n
	var d fe
	var b uint64
	for j := range n {
		d[j], b = bits.Sub64(t[j], f.p[j], b)
	}
	if t[n] == 0 && b != 0 { // t < p already
		copy(z[:n], t[:n])
	} else {
		copy(z[:n], d[:n])
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

// inv sets z = x⁻¹ (Montgomery form in and out), and 0 for x = 0. Inversions
// are rare (a few per verification); math/big's extended GCD is much faster
// than Fermat's x^(p-2), which would cost hundreds of multiplications.
func (f *field) inv(z, x *fe) {
	v := f.store(x)
	v.ModInverse(v, f.pBig)
	*z = f.load(v)
}
