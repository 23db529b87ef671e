package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
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
		x, y, ok := c.toAffine(c.scalarMult(c.Gx, c.Gy, hexInt(tc.d)))
		want, _ := hex.DecodeString(tc.q)
		wx, wy, err := decodePoint(c, want)
		if err != nil || !ok || x.Cmp(wx) != 0 || y.Cmp(wy) != 0 {
			t.Errorf("d=%s: got (%x, %x), err %v", tc.d, x, y, err)
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
		x, _, _ := c.toAffine(c.scalarMult(c.Gx, c.Gy, k))
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
	x, y, _ := c.toAffine(c.scalarMult(c.Gx, c.Gy, d))
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

// The generic code must agree with crypto/ecdsa on P-256 given explicitly.
func TestGenericAgreesWithStdlibP256(t *testing.T) {
	c := fromStd(elliptic.P256())
	for i := 0; i < 40; i++ {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, 32)
		io.ReadFull(rand.Reader, msg)
		digest := sha256.Sum256(msg)
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		k := &ECPublicKey{Curve: c, X: priv.X, Y: priv.Y}
		// Half the rounds tamper with the signature or digest.
		switch i % 4 {
		case 1:
			s = new(big.Int).Add(s, big.NewInt(int64(i)))
		case 2:
			digest[i%32] ^= 1
		case 3:
			r = new(big.Int).Sub(c.N, r)
		}
		std := ecdsa.Verify(&priv.PublicKey, digest[:], r, s)
		if got := k.verifyGeneric(digest[:], r, s); got != std {
			t.Fatalf("round %d: generic %v, crypto/ecdsa %v", i, got, std)
		}
		if i%4 == 0 && !std {
			t.Fatal("valid signature rejected by crypto/ecdsa")
		}
	}
}

func TestNewECPublicKeyRejectsOffCurve(t *testing.T) {
	c := BrainpoolP256r1
	if _, err := NewECPublicKey(c, c.Gx, new(big.Int).Add(c.Gy, big.NewInt(1))); err == nil {
		t.Error("off-curve point accepted")
	}
	if _, err := NewECPublicKey(c, new(big.Int), new(big.Int)); err == nil {
		t.Error("(0,0) accepted")
	}
}

func BenchmarkVerifyBrainpoolP256r1(b *testing.B) {
	c := BrainpoolP256r1
	d, k := testKey(b, c)
	digest := sha256.Sum256([]byte("bench"))
	r, s := testSign(b, c, d, digest[:])
	b.ReportAllocs()
	for b.Loop() {
		if !k.Verify(digest[:], r, s) {
			b.Fatal("no verify")
		}
	}
}

func BenchmarkVerifyBrainpoolP384r1(b *testing.B) {
	c := BrainpoolP384r1
	d, k := testKey(b, c)
	digest := sha256.Sum256([]byte("bench"))
	r, s := testSign(b, c, d, digest[:])
	b.ReportAllocs()
	for b.Loop() {
		if !k.Verify(digest[:], r, s) {
			b.Fatal("no verify")
		}
	}
}

// BenchmarkVerifyGenericP256 puts the generic code beside crypto/ecdsa's.
func BenchmarkVerifyGenericP256(b *testing.B) {
	c := fromStd(elliptic.P256())
	d, k := testKey(b, c)
	digest := sha256.Sum256([]byte("bench"))
	r, s := testSign(b, c, d, digest[:])
	b.ReportAllocs()
	for b.Loop() {
		if !k.verifyGeneric(digest[:], r, s) {
			b.Fatal("no verify")
		}
	}
}

func BenchmarkVerifyStdlibP256(b *testing.B) {
	c := fromStd(elliptic.P256())
	d, k := testKey(b, c)
	digest := sha256.Sum256([]byte("bench"))
	r, s := testSign(b, c, d, digest[:])
	b.ReportAllocs()
	for b.Loop() {
		if !k.Verify(digest[:], r, s) {
			b.Fatal("no verify")
		}
	}
}
