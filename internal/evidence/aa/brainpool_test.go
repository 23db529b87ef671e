package aa

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

// Textbook affine arithmetic, for signing in tests only: crypto/ecdsa has
// no brainpool curves, and the verifier under test must not sign for itself.
type point struct{ x, y *big.Int } // nil x: infinity

func addPoints(c *pki.Curve, p, q point) point {
	switch {
	case p.x == nil:
		return q
	case q.x == nil:
		return p
	}
	var l *big.Int
	if p.x.Cmp(q.x) == 0 {
		if new(big.Int).Add(p.y, q.y).Mod(new(big.Int).Add(p.y, q.y), c.P).Sign() == 0 {
			return point{}
		}
		// l = (3x^2 + a) / 2y
		num := new(big.Int).Mul(p.x, p.x)
		num.Mul(num, big.NewInt(3)).Add(num, c.A)
		den := new(big.Int).Lsh(p.y, 1)
		l = num.Mul(num, den.ModInverse(den, c.P))
	} else {
		num := new(big.Int).Sub(q.y, p.y)
		den := new(big.Int).Sub(q.x, p.x)
		den.Mod(den, c.P)
		l = num.Mul(num, den.ModInverse(den, c.P))
	}
	l.Mod(l, c.P)
	x := new(big.Int).Mul(l, l)
	x.Sub(x, p.x).Sub(x, q.x).Mod(x, c.P)
	y := new(big.Int).Sub(p.x, x)
	y.Mul(y, l).Sub(y, p.y).Mod(y, c.P)
	return point{x, y}
}

func scalarBase(c *pki.Curve, k *big.Int) point {
	var r point
	g := point{c.Gx, c.Gy}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = addPoints(c, r, r)
		if k.Bit(i) == 1 {
			r = addPoints(c, r, g)
		}
	}
	return r
}

// signGeneric is ECDSA (SEC 1 section 4.1.3) returning plain r || s.
func signGeneric(tb testing.TB, c *pki.Curve, d *big.Int, digest []byte) []byte {
	n := c.N
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - n.BitLen(); excess > 0 {
		e.Rsh(e, uint(excess))
	}
	for {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			tb.Fatal(err)
		}
		if k.Sign() == 0 {
			continue
		}
		r := new(big.Int).Mod(scalarBase(c, k).x, n)
		s := new(big.Int).Mul(r, d)
		s.Add(s, e).Mul(s, new(big.Int).ModInverse(k, n)).Mod(s, n)
		if r.Sign() == 0 || s.Sign() == 0 {
			continue
		}
		size := (n.BitLen() + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out
	}
}

// TestVerifyBrainpoolExplicit signs with a fresh key on brainpoolP224r1 and
// puts its point into the specimen's explicit-parameter SubjectPublicKeyInfo,
// so the generic-curve path of pki is what verifies.
func TestVerifyBrainpoolExplicit(t *testing.T) {
	spki := bytes.Clone(caPublicKey(t, readSample(t, "Datagroup14.bin")))
	c := pki.BrainpoolP224r1
	d, err := rand.Int(rand.Reader, new(big.Int).Sub(c.N, big.NewInt(1)))
	if err != nil {
		t.Fatal(err)
	}
	d.Add(d, big.NewInt(1))
	q := scalarBase(c, d)
	size := c.ByteLen()
	// The SPKI ends with the uncompressed point 04 || X || Y.
	q.x.FillBytes(spki[len(spki)-2*size : len(spki)-size])
	q.y.FillBytes(spki[len(spki)-size:])
	dg15 := wrap(0x6F, spki)
	key, err := ParseDG15(dg15)
	if err != nil || key.Type != "EC brainpoolP224r1" {
		t.Fatalf("ParseDG15: %v, %v", key, err)
	}
	ch := challenge8()
	for _, hc := range []struct {
		hash crypto.Hash
		dg14 []byte
	}{
		{crypto.SHA1, dg14Of(caInfo(), aaInfo(1, oidPlainSHA1))},
		{crypto.SHA256, dg14Of(aaInfo(1, oidPlainSHA256))},
	} {
		h := hc.hash.New()
		h.Write(ch)
		resp := signGeneric(t, c, d, h.Sum(nil))
		got, err := Check(dg15, hc.dg14, ch, resp)
		if err != nil || got.Hash != hc.hash {
			t.Fatalf("%v: %+v, %v", hc.hash, got, err)
		}
		for bit := 0; bit < 8*len(resp); bit += 7 {
			checkReason(t, Verify(dg15, hc.dg14, ch, flip(resp, bit)), ReasonSignatureInvalid)
		}
		checkReason(t, Verify(dg15, hc.dg14, flip(ch, 3), resp), ReasonSignatureInvalid)
	}
}
