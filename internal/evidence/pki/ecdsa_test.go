package pki

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"math/big"
	"testing"
)

func TestNamedCurvesValid(t *testing.T) {
	for _, nc := range namedCurves {
		t.Run(nc.curve.Name, func(t *testing.T) {
			if err := nc.curve.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// RFC 6932 / RFC 7027 key pairs: Q = d·G on brainpoolP256r1.
func TestScalarMultRFCVectors(t *testing.T) {
	cases := []struct{ d, q string }{
		{"041EB8B1E2BC681BCE8E39963B2E9FC415B05283313DD1A8BCC055F11AE49699",
			"0478028496B5ECAAB3C8B6C12E45DB1E02C9E4D26B4113BC4F015F60C5CCC0D206A2AE1762A3831C1D20F03F8D1E3C0C39AFE6F09B4D44BBE80CD100987B05F92B"},
		{"06F5240EACDB9837BC96D48274C8AA834B6C87BA9CC3EEDD81F99A16B8D804D3",
			"048E07E219BA588916C5B06AA30A2F464C2F2ACFC1610A3BE2FB240B635341F0DB148EA1D7D1E7E54B9555B6C9AC90629C18B63BEE5D7AA6949EBBF47B24FDE40D"},
	}
	c := BrainpoolP256r1
	for _, tc := range cases {
		x, y, ok := c.scalarMult(c.Gx, c.Gy, hexInt(tc.d))
		want, _ := hex.DecodeString(tc.q)
		wx, wy, err := decodePoint(c, want)
		if err != nil || !ok || x.Cmp(wx) != 0 || y.Cmp(wy) != 0 {
			t.Errorf("d=%s: got (%x, %x), err %v", tc.d, x, y, err)
		}
	}
}

// scalarMult on the NIST curves in general form must give the public keys
// crypto/ecdh computes for the same private scalars.
func TestScalarMultAgreesWithECDH(t *testing.T) {
	for _, tc := range []struct {
		ec  ecdh.Curve
		std elliptic.Curve
	}{{ecdh.P256(), elliptic.P256()}, {ecdh.P384(), elliptic.P384()}, {ecdh.P521(), elliptic.P521()}} {
		c := fromStd(tc.std)
		for range 8 {
			priv, err := tc.ec.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			x, y, ok := c.scalarMult(c.Gx, c.Gy, new(big.Int).SetBytes(priv.Bytes()))
			if !ok {
				t.Fatalf("%s: d·G is infinity", c.Name)
			}
			if want := priv.PublicKey().Bytes(); !bytes.Equal(encodePoint(c, x, y), want) {
				t.Fatalf("%s: d·G = %x, crypto/ecdh says %x", c.Name, encodePoint(c, x, y), want)
			}
		}
	}
}

// testSign is textbook ECDSA signing, here only to make signatures for tests.
func testSign(t testing.TB, c *Curve, d *big.Int, digest []byte) (r, s *big.Int) {
	for {
		k, err := rand.Int(rand.Reader, new(big.Int).Sub(c.N, big.NewInt(1)))
		if err != nil {
			t.Fatal(err)
		}
		k.Add(k, big.NewInt(1))
		x, _, _ := c.scalarMult(c.Gx, c.Gy, k)
		r = x.Mod(x, c.N)
		if r.Sign() == 0 {
			continue
		}
		s = new(big.Int).Mul(r, d)
		s.Add(s, hashToInt(digest, c.N))
		s.Mul(s, new(big.Int).ModInverse(k, c.N)).Mod(s, c.N)
		if s.Sign() != 0 {
			return r, s
		}
	}
}

func testKey(t testing.TB, c *Curve) (*big.Int, *ECPublicKey) {
	d, err := rand.Int(rand.Reader, new(big.Int).Sub(c.N, big.NewInt(1)))
	if err != nil {
		t.Fatal(err)
	}
	d.Add(d, big.NewInt(1))
	x, y, _ := c.scalarMult(c.Gx, c.Gy, d)
	k, err := NewECPublicKey(c, x, y)
	if err != nil {
		t.Fatal(err)
	}
	return d, k
}

func TestGenericECDSA(t *testing.T) {
	digest := sha256.Sum256([]byte("vigil"))
	other := sha256.Sum256([]byte("vigil!"))
	for _, c := range []*Curve{BrainpoolP224r1, BrainpoolP256r1, BrainpoolP320r1, BrainpoolP384r1, BrainpoolP512r1} {
		t.Run(c.Name, func(t *testing.T) {
			d, k := testKey(t, c)
			r, s := testSign(t, c, d, digest[:])
			one := big.NewInt(1)
			cases := []struct {
				name   string
				digest []byte
				r, s   *big.Int
				want   bool
			}{
				{"valid", digest[:], r, s, true},
				{"other message", other[:], r, s, false},
				{"r+1", digest[:], new(big.Int).Add(r, one), s, false},
				{"s+1", digest[:], r, new(big.Int).Add(s, one), false},
				{"r zero", digest[:], new(big.Int), s, false},
				{"s zero", digest[:], r, new(big.Int), false},
				{"r+n", digest[:], new(big.Int).Add(r, c.N), s, false},
				{"s+n", digest[:], r, new(big.Int).Add(s, c.N), false},
				{"r negative", digest[:], new(big.Int).Neg(r), s, false},
				{"n-s is the malleable twin", digest[:], r, new(big.Int).Sub(c.N, s), true},
			}
			for _, tc := range cases {
				if got := k.Verify(tc.digest, tc.r, tc.s); got != tc.want {
					t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
				}
			}
			_, wrong := testKey(t, c)
			if wrong.Verify(digest[:], r, s) {
				t.Error("verified under another key")
			}
		})
	}
}

// The generic code must agree with crypto/ecdsa on the NIST curves given
// explicitly, on valid signatures and on every kind of tampering.
func TestGenericAgreesWithStdlib(t *testing.T) {
	for _, std := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		c := fromStd(std)
		t.Run(c.Name, func(t *testing.T) {
			for i := range 48 {
				priv, err := ecdsa.GenerateKey(std, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				msg := make([]byte, 32)
				io.ReadFull(rand.Reader, msg)
				digest := sha512.Sum512(msg) // longer than n: exercises truncation
				r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
				if err != nil {
					t.Fatal(err)
				}
				k := &ECPublicKey{Curve: c, X: priv.X, Y: priv.Y}
				// Most rounds tamper with the signature, digest or key.
				switch i % 8 {
				case 1:
					s = new(big.Int).Add(s, big.NewInt(int64(i)))
				case 2:
					digest[i%32] ^= 1
				case 3:
					r = new(big.Int).Sub(c.N, r)
				case 4:
					s = new(big.Int).Sub(c.N, s) // the malleable twin still verifies
				case 5:
					r = new(big.Int).Add(r, c.N)
				case 6:
					k.X, k.Y = c.Gx, c.Gy
				case 7:
					r, s = s, r
				}
				want := ecdsa.Verify(&ecdsa.PublicKey{Curve: std, X: k.X, Y: k.Y}, digest[:], r, s)
				if got := k.verifyGeneric(digest[:], r, s); got != want {
					t.Fatalf("round %d: generic %v, crypto/ecdsa %v", i, got, want)
				}
				if (i%8 == 0 || i%8 == 4) && !want {
					t.Fatalf("round %d: valid signature rejected by crypto/ecdsa", i)
				}
			}
		})
	}
}

// testCurves are the curves the generic code runs on: brainpool, the NIST
// curves in general form, and an unnamed curve (no cached tables).
func testCurves() []*Curve {
	return []*Curve{BrainpoolP224r1, BrainpoolP256r1, BrainpoolP320r1, BrainpoolP384r1, BrainpoolP512r1,
		fromStd(elliptic.P256()), fromStd(elliptic.P521()), secp256k1}
}

// combinedMult must equal (u1 + u2·d)·G for Q = d·G, including the sums
// that cancel to infinity and keys equal to ±G, where the additions inside
// meet equal or opposite points.
func TestCombinedMultEdgeCases(t *testing.T) {
	for _, c := range testCurves() {
		t.Run(c.Name+"/"+c.N.Text(16)[:8], func(t *testing.T) {
			ar := c.arith()
			rnd := func() *big.Int {
				v, err := rand.Int(rand.Reader, c.N)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			nm1 := new(big.Int).Sub(c.N, big.NewInt(1))
			d := rnd()
			negD := new(big.Int).Sub(c.N, d)
			cases := []struct {
				name      string
				d, u1, u2 *big.Int
			}{
				{"random", d, rnd(), rnd()},
				{"u1+u2d=0", d, negD, big.NewInt(1)},
				{"u1+u2d=0, large u2", d, new(big.Int).Mod(new(big.Int).Mul(negD, nm1), c.N), nm1},
				{"Q=G", big.NewInt(1), rnd(), rnd()},
				{"Q=G, u1=u2", big.NewInt(1), d, d},
				{"Q=-G, u1=u2", nm1, d, d},
				{"Q=-G", nm1, rnd(), rnd()},
				{"Q=G, u1=1 u2=1", big.NewInt(1), big.NewInt(1), big.NewInt(1)},
				{"Q=-G, u1=1 u2=1", nm1, big.NewInt(1), big.NewInt(1)},
				{"u1=0", d, new(big.Int), rnd()},
				{"u2=0", d, rnd(), new(big.Int)},
				{"both zero", d, new(big.Int), new(big.Int)},
				{"n-1, n-1", d, nm1, nm1},
			}
			for _, tc := range cases {
				qx, qy, _ := c.scalarMult(c.Gx, c.Gy, tc.d)
				p := ar.combinedMult(c, ar.affineOf(qx, qy), tc.u1, tc.u2)
				gotX, gotY, gotOK := ar.toAffine(&p)
				sum := new(big.Int).Mul(tc.u2, tc.d)
				sum.Add(sum, tc.u1).Mod(sum, c.N)
				wantX, wantY, wantOK := c.scalarMult(c.Gx, c.Gy, sum)
				if gotOK != wantOK || (wantOK && (gotX.Cmp(wantX) != 0 || gotY.Cmp(wantY) != 0)) {
					t.Errorf("%s: got (%x, %x, %v), want (%x, %x, %v)", tc.name, gotX, gotY, gotOK, wantX, wantY, wantOK)
				}
				if gotOK && !c.IsOnCurve(gotX, gotY) {
					t.Errorf("%s: result off the curve", tc.name)
				}
			}
		})
	}
}

// addAffine meets its special cases: adding to infinity, adding a point to
// itself (doubling) and to its negation.
func TestAddAffineSpecialCases(t *testing.T) {
	for _, c := range testCurves() {
		ar := c.arith()
		g := ar.affineOf(c.Gx, c.Gy)
		var p point
		ar.addAffine(&p, &g) // ∞ + G
		ar.double(&p)        // 2G with Z ≠ 1
		two := p
		x2, y2, _ := c.scalarMult(c.Gx, c.Gy, big.NewInt(2))
		q := ar.affineOf(x2, y2)
		ar.addAffine(&p, &q) // 2G + 2G
		x, y, ok := ar.toAffine(&p)
		wx, wy, _ := c.scalarMult(c.Gx, c.Gy, big.NewInt(4))
		if !ok || x.Cmp(wx) != 0 || y.Cmp(wy) != 0 {
			t.Errorf("%s: 2G + 2G = (%x, %x, %v), want 4G", c.Name, x, y, ok)
		}
		ar.f.neg(&q.y, &q.y)
		p = two
		ar.addAffine(&p, &q) // 2G + -2G
		if !p.isInfinity() {
			t.Errorf("%s: 2G - 2G is not infinity", c.Name)
		}
	}
}

// A signature whose u1·G + u2·Q is infinity must fail, not panic: with
// Q = d·G, a digest e = -r·d mod n does it for every s.
func TestVerifyInfinityFails(t *testing.T) {
	for _, c := range testCurves() {
		d, k := testKey(t, c)
		r := big.NewInt(12345)
		e := new(big.Int).Mul(r, d)
		e.Neg(e).Mod(e, c.N)
		digest := e.FillBytes(make([]byte, (c.N.BitLen()+7)/8))
		if c.N.BitLen()%8 != 0 {
			continue // hashToInt would shift the digest; the cases above suffice
		}
		if k.Verify(digest, r, big.NewInt(777)) {
			t.Errorf("%s: signature at infinity verified", c.Name)
		}
	}
}

func TestVerifyRejectsBadKeys(t *testing.T) {
	c := BrainpoolP256r1
	d, k := testKey(t, c)
	digest := sha256.Sum256([]byte("vigil"))
	r, s := testSign(t, c, d, digest[:])
	cases := []struct {
		name string
		k    *ECPublicKey
	}{
		{"off curve", &ECPublicKey{Curve: c, X: k.X, Y: new(big.Int).Add(k.Y, big.NewInt(1))}},
		{"x = p", &ECPublicKey{Curve: c, X: new(big.Int).Add(k.X, c.P), Y: k.Y}},
		{"negative y", &ECPublicKey{Curve: c, X: k.X, Y: new(big.Int).Sub(k.Y, c.P)}},
		{"nil curve", &ECPublicKey{X: k.X, Y: k.Y}},
		{"even p", &ECPublicKey{Curve: &Curve{P: big.NewInt(1 << 20), A: c.A, B: c.B, Gx: c.Gx, Gy: c.Gy, N: c.N}, X: k.X, Y: k.Y}},
		{"incomplete curve", &ECPublicKey{Curve: &Curve{P: c.P, A: c.A}, X: k.X, Y: k.Y}},
		{"nil", nil},
	}
	if !k.Verify(digest[:], r, s) {
		t.Fatal("valid signature rejected")
	}
	for _, tc := range cases {
		if tc.k.Verify(digest[:], r, s) {
			t.Errorf("%s: verified", tc.name)
		}
	}
}

// FuzzVerifyGenericP256 holds the generic code to crypto/ecdsa on P-256 for
// any digest and (r, s), seeded with valid signatures so that mutations
// land near the accepting path.
func FuzzVerifyGenericP256(f *testing.F) {
	c := fromStd(elliptic.P256())
	seed := sha256.Sum256([]byte("vigil fuzz key"))
	var keys [2]*ecdsa.PrivateKey // a fixed key and d = 1 (Q = G)
	for i, d := range [][]byte{seed[:], big.NewInt(1).FillBytes(make([]byte, 32))} {
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
		if err != nil {
			f.Fatal(err)
		}
		keys[i] = priv
	}
	for i := range 4 {
		digest := sha256.Sum256([]byte{byte(i)})
		r, s, err := ecdsa.Sign(rand.Reader, keys[i%2], digest[:])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(digest[:], r.Bytes(), s.Bytes(), i%2 == 1)
	}
	f.Add([]byte{}, []byte{1}, []byte{1}, true)
	f.Fuzz(func(t *testing.T, digest, rb, sb []byte, useG bool) {
		priv := keys[0]
		if useG {
			priv = keys[1]
		}
		x, y := priv.X, priv.Y
		r, s := new(big.Int).SetBytes(rb), new(big.Int).SetBytes(sb)
		want := ecdsa.Verify(&ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}, digest, r, s)
		k := &ECPublicKey{Curve: c, X: x, Y: y}
		if got := k.verifyGeneric(digest, r, s); got != want {
			t.Fatalf("generic %v, crypto/ecdsa %v", got, want)
		}
	})
}

func TestNewECPublicKeyRejectsOffCurve(t *testing.T) {
	c := BrainpoolP256r1
	if _, err := NewECPublicKey(c, c.Gx, new(big.Int).Add(c.Gy, big.NewInt(1))); err == nil {
		t.Error("off-curve point accepted")
	}
	if _, err := NewECPublicKey(c, new(big.Int), new(big.Int)); err == nil {
		t.Error("(0,0) accepted")
	}
	if _, err := NewECPublicKey(&Curve{P: c.P}, c.Gx, c.Gy); err == nil {
		t.Error("incomplete curve accepted")
	}
}
