package pki

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// testPrimes covers every limb count from 1 to maxLimbs, moduli with the
// top bit of the top limb set and clear, and the named curves' fields.
func testPrimes(t *testing.T) []*big.Int {
	ps := []*big.Int{big.NewInt(3), big.NewInt(1<<61 - 1), hexInt("ffffffffffffffc5")}
	for _, nc := range namedCurves {
		ps = append(ps, nc.curve.P)
	}
	for _, bitLen := range []int{65, 127, 128, 129, 200, 448, 576, 640, 767, 1000, maxFieldBits} {
		p, err := rand.Prime(rand.Reader, bitLen)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// TestFieldAgreesWithBig checks every field operation against math/big on
// edge values (0, 1, p-1, p-2, 2^64-1 reduced) and random ones.
func TestFieldAgreesWithBig(t *testing.T) {
	for _, p := range testPrimes(t) {
		f := newField(p)
		if f == nil {
			t.Fatalf("newField(%x) = nil", p)
		}
		vals := []*big.Int{new(big.Int), big.NewInt(1), new(big.Int).Sub(p, big.NewInt(1)),
			new(big.Int).Sub(p, big.NewInt(2)), new(big.Int).Mod(new(big.Int).SetUint64(^uint64(0)), p)}
		for range 12 {
			v, err := rand.Int(rand.Reader, p)
			if err != nil {
				t.Fatal(err)
			}
			vals = append(vals, v)
		}
		want := new(big.Int)
		check := func(op string, x, y *big.Int, got *fe) {
			t.Helper()
			if g := f.store(got); g.Cmp(want) != 0 {
				t.Fatalf("p=%x: %s(%x, %x) = %x, want %x", p, op, x, y, g, want)
			}
			for i := f.n; i < maxLimbs; i++ {
				if got[i] != 0 {
					t.Fatalf("p=%x: %s left limb %d set", p, op, i)
				}
			}
		}
		for _, x := range vals {
			fx := f.load(x)
			want.Set(x)
			check("load/store", x, x, &fx)
			for _, y := range vals {
				fy := f.load(y)
				var z fe
				f.mul(&z, &fx, &fy)
				want.Mul(x, y).Mod(want, p)
				check("mul", x, y, &z)
				z = fx
				f.mul(&z, &z, &z) // aliasing
				want.Mul(x, x).Mod(want, p)
				check("mul square", x, x, &z)
				f.add(&z, &fx, &fy)
				want.Add(x, y).Mod(want, p)
				check("add", x, y, &z)
				f.sub(&z, &fx, &fy)
				want.Sub(x, y).Mod(want, p)
				check("sub", x, y, &z)
			}
			var z fe
			f.neg(&z, &fx)
			want.Neg(x).Mod(want, p)
			check("neg", x, x, &z)
			f.inv(&z, &fx)
			if want.ModInverse(x, p) == nil {
				want.SetInt64(0) // inv(0) is 0, never a panic
			}
			check("inv", x, x, &z)
		}
	}
}

func TestNewFieldRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *big.Int
	}{
		{"nil", nil},
		{"zero", new(big.Int)},
		{"one", big.NewInt(1)},
		{"even", big.NewInt(1 << 40)},
		{"negative", big.NewInt(-7)},
		{"too large", new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), maxFieldBits), big.NewInt(1))},
	} {
		if newField(tc.p) != nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// TestWNAF checks the digits add back up to k and have the promised shape.
func TestWNAF(t *testing.T) {
	ks := []*big.Int{new(big.Int), big.NewInt(1), big.NewInt(0x7f), big.NewInt(0xff),
		new(big.Int).Sub(BrainpoolP512r1.N, big.NewInt(1)), new(big.Int).Lsh(big.NewInt(1), 511),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 512), big.NewInt(1))}
	for range 50 {
		k, err := rand.Int(rand.Reader, BrainpoolP512r1.N)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	for _, w := range []uint{2, 4, wQ, wG} {
		for _, k := range ks {
			d := make([]int8, k.BitLen()+1)
			wnaf(d, k, w)
			sum, last := new(big.Int), -int(w)
			for i := len(d) - 1; i >= 0; i-- {
				sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d[i])))
			}
			for i, di := range d {
				if di == 0 {
					continue
				}
				if di%2 == 0 || di >= 1<<(w-1) || -di >= 1<<(w-1) || i-last < int(w) {
					t.Fatalf("w=%d k=%x: digit %d at %d (previous at %d)", w, k, di, i, last)
				}
				last = i
			}
			if sum.Cmp(k) != 0 {
				t.Fatalf("w=%d: digits of %x add up to %x", w, k, sum)
			}
		}
	}
}

func BenchmarkField(b *testing.B) {
	for _, c := range []*Curve{BrainpoolP256r1, BrainpoolP384r1, BrainpoolP512r1} {
		f := newField(c.P)
		x, y := f.load(c.Gx), f.load(c.Gy)
		b.Run("mul/"+c.Name, func(b *testing.B) {
			for b.Loop() {
				f.mul(&x, &x, &y)
			}
		})
	}
}
