package aa

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

type vcase struct {
	name string
	// build returns DG15, DG14, challenge and response.
	build func(t testing.TB) (dg15, dg14, challenge, response []byte)
	want  string // "" for a pass
}

// run checks Verify against the wanted reason.
func (c vcase) run(t *testing.T) {
	dg15, dg14, ch, resp := c.build(t)
	err := Verify(dg15, dg14, ch, resp)
	checkReason(t, err, c.want)
}

func checkReason(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("want a pass, got %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want %s, got %v (%T)", want, err, err)
	}
	if e.Reason != want {
		t.Fatalf("want %s, got %v", want, err)
	}
}

// rsaSigned builds a case signing a (possibly changed) representative.
func rsaSigned(k func() *rsa.PrivateKey, hash crypto.Hash, explicit, alternative bool, change func([]byte) []byte) func(t testing.TB) ([]byte, []byte, []byte, []byte) {
	return func(t testing.TB) ([]byte, []byte, []byte, []byte) {
		keys(t)
		key := k()
		ch := challenge8()
		f := representative(t, key.Size(), hash, explicit, ch)
		if change != nil {
			f = change(f)
		}
		return dg15Of(t, &key.PublicKey), nil, ch, signRaw(key, f, alternative)
	}
}

func k1024() *rsa.PrivateKey { return rsa1024 }
func k2048() *rsa.PrivateKey { return rsa2048 }

// respond changes a good SHA-1 RSA-1024 case after signing.
func respond(change func(dg15, ch, resp []byte) ([]byte, []byte, []byte)) func(t testing.TB) ([]byte, []byte, []byte, []byte) {
	return func(t testing.TB) ([]byte, []byte, []byte, []byte) {
		dg15, dg14, ch, resp := rsaSigned(k1024, crypto.SHA1, false, false, nil)(t)
		dg15, ch, resp = change(dg15, ch, resp)
		return dg15, dg14, ch, resp
	}
}

func rsaCases() []vcase {
	return []vcase{
		{"SHA-1 implicit trailer BC", rsaSigned(k1024, crypto.SHA1, false, false, nil), ""},
		{"SHA-1 explicit trailer 33CC", rsaSigned(k1024, crypto.SHA1, true, false, nil), ""},
		{"SHA-224 38CC", rsaSigned(k1024, crypto.SHA224, true, false, nil), ""},
		{"SHA-256 34CC", rsaSigned(k1024, crypto.SHA256, true, false, nil), ""},
		{"SHA-384 36CC", rsaSigned(k1024, crypto.SHA384, true, false, nil), ""},
		{"SHA-512 35CC", rsaSigned(k1024, crypto.SHA512, true, false, nil), ""},
		{"RSA-2048 SHA-256", rsaSigned(k2048, crypto.SHA256, true, false, nil), ""},
		{"alternative n - s", rsaSigned(k1024, crypto.SHA1, false, true, nil), ""},
		{"alternative n - s SHA-256", rsaSigned(k2048, crypto.SHA256, true, true, nil), ""},
		{"wrong challenge", respond(func(d, c, r []byte) ([]byte, []byte, []byte) {
			return d, flip(c, 63), r
		}), ReasonSignatureInvalid},
		{"wrong key", func(t testing.TB) ([]byte, []byte, []byte, []byte) {
			_, dg14, ch, resp := rsaSigned(k1024, crypto.SHA1, false, false, nil)(t)
			return dg15Of(t, &rsa1024b.PublicKey), dg14, ch, resp
		}, ReasonSignatureInvalid},
		{"response one byte short", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, c, r[1:] }), ReasonSignatureInvalid},
		{"response one byte long", respond(func(d, c, r []byte) ([]byte, []byte, []byte) {
			return d, c, append([]byte{0}, r...)
		}), ReasonSignatureInvalid},
		{"empty response", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, c, nil }), ReasonSignatureInvalid},
		{"zero response", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, c, make([]byte, len(r)) }), ReasonSignatureInvalid},
		{"response = n", respond(func(d, c, r []byte) ([]byte, []byte, []byte) {
			return d, c, rsa1024.N.FillBytes(make([]byte, len(r)))
		}), ReasonSignatureInvalid},
		{"response = s + n", respond(func(d, c, r []byte) ([]byte, []byte, []byte) {
			// Same value mod n, so only the range check can refuse it; it
			// fits the length because the top byte of s is small enough or
			// the case degenerates to a length error, both invalid.
			s := new(big.Int).Add(new(big.Int).SetBytes(r), rsa1024.N)
			if s.BitLen() > 8*len(r) {
				return d, c, s.Bytes()
			}
			return d, c, s.FillBytes(make([]byte, len(r)))
		}), ReasonSignatureInvalid},
		{"all FF response", respond(func(d, c, r []byte) ([]byte, []byte, []byte) {
			for i := range r {
				r[i] = 0xFF
			}
			return d, c, r
		}), ReasonSignatureInvalid},
		{"header 4A: full recovery claimed", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[0] = 0x4A
			return f
		}), ReasonSignatureInvalid},
		{"header 6B: padding present", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[0] = 0x6B
			return f
		}), ReasonSignatureInvalid},
		{"header 2A: wrong header bits", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[0] = 0x2A
			return f
		}), ReasonSignatureInvalid},
		{"trailer BD", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[len(f)-1] = 0xBD
			return f
		}), ReasonSignatureInvalid},
		{"trailer 31CC (RIPEMD-160)", rsaSigned(k1024, crypto.SHA1, true, false, func(f []byte) []byte {
			f[len(f)-2] = 0x31
			return f
		}), ReasonSignatureInvalid},
		{"trailer 34CC over a SHA-1 hash", rsaSigned(k1024, crypto.SHA1, true, false, func(f []byte) []byte {
			f[len(f)-2] = 0x34
			return f
		}), ReasonSignatureInvalid},
		{"trailer BC over a SHA-256 hash", rsaSigned(k1024, crypto.SHA256, true, false, func(f []byte) []byte {
			f[len(f)-1] = 0xBC // now reads as SHA-1 over the last 20 hash bytes
			return f
		}), ReasonSignatureInvalid},
		{"hash mismatch", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[len(f)-2] ^= 1
			return f
		}), ReasonSignatureInvalid},
		{"M1 changed", rsaSigned(k1024, crypto.SHA1, false, false, func(f []byte) []byte {
			f[1] ^= 1
			return f
		}), ReasonSignatureInvalid},
		{"challenge of 7 bytes", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, c[:7], r }), ReasonChallengeInvalid},
		{"challenge of 9 bytes", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, append(c, 0), r }), ReasonChallengeInvalid},
		{"no challenge", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d, nil, r }), ReasonChallengeInvalid},
		{"DG15 truncated", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return d[:len(d)-1], c, r }), ReasonKeyMalformed},
		{"DG15 missing", respond(func(d, c, r []byte) ([]byte, []byte, []byte) { return nil, c, r }), ReasonKeyMalformed},
	}
}

func TestVerifyRSA(t *testing.T) {
	for _, c := range rsaCases() {
		t.Run(c.name, c.run)
	}
}

// TestVerifyRSAEveryBitFlip flips each bit of a good response in turn; none
// may pass, and none may be reported as anything but an invalid signature.
func TestVerifyRSAEveryBitFlip(t *testing.T) {
	dg15, _, ch, resp := rsaSigned(k1024, crypto.SHA256, true, false, nil)(t)
	if err := Verify(dg15, nil, ch, resp); err != nil {
		t.Fatal(err)
	}
	for bit := range 8 * len(resp) {
		checkReason(t, Verify(dg15, nil, ch, flip(resp, bit)), ReasonSignatureInvalid)
	}
	for bit := range 8 * len(ch) {
		checkReason(t, Verify(dg15, nil, flip(ch, bit), resp), ReasonSignatureInvalid)
	}
}

// TestRepresentativeAboveHalfModulus pins the choice between J and n - J to
// parity, as ISO/IEC 9796-2 does. A representative 6A... lies above n/2 for
// every 1024-bit modulus whose top byte is below 0xD4; a "take n - J when
// J > n/2" rule would refuse those honest signatures.
func TestRepresentativeAboveHalfModulus(t *testing.T) {
	var k *rsa.PrivateKey
	for i := 0; i < 100 && k == nil; i++ {
		c, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if c.N.Bytes()[0] < 0xD4 {
			k = c
		}
	}
	if k == nil {
		t.Fatal("no 1024-bit modulus with a top byte below 0xD4 in 100 keys")
	}
	ch := challenge8()
	f := representative(t, k.Size(), crypto.SHA1, false, ch)
	if new(big.Int).SetBytes(f).Cmp(new(big.Int).Rsh(k.N, 1)) <= 0 {
		t.Fatal("test setup: F is not above n/2")
	}
	for _, alt := range []bool{false, true} {
		if err := Verify(dg15Of(t, &k.PublicKey), nil, ch, signRaw(k, f, alt)); err != nil {
			t.Fatalf("alternative=%v: %v", alt, err)
		}
	}
}

// TestNoRoomForM1 checks the guard against a representative too short to
// hold any recoverable message: header, hash and trailer only.
func TestNoRoomForM1(t *testing.T) {
	f := make([]byte, 1+20+1)
	f[0], f[len(f)-1] = headerFull, trailerImplicit
	_, err := checkRepresentative(f, challenge8())
	checkReason(t, err, ReasonSignatureInvalid)
}

// unsignedDG15 writes the key as the BSI 2008 specimen does: the modulus
// INTEGER without the leading zero byte DER needs.
func unsignedDG15(k *rsa.PublicKey) []byte {
	pkcs1 := cryptobyte.NewBuilder(nil)
	pkcs1.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(k.N.Bytes()) })
		b.AddASN1Int64(int64(k.E))
	})
	spki := cryptobyte.NewBuilder(nil)
	spki.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidRSAEncryption)
			b.AddASN1NULL()
		})
		b.AddASN1BitString(pkcs1.BytesOrPanic())
	})
	return wrap(0x6F, spki.BytesOrPanic())
}

func TestUnsignedModulus(t *testing.T) {
	dg15, _, ch, resp := rsaSigned(k1024, crypto.SHA1, false, false, nil)(t)
	legacy := unsignedDG15(&rsa1024.PublicKey)
	if bytes.Equal(legacy, dg15) {
		t.Fatal("test setup: the legacy encoding equals DER")
	}
	if err := Verify(legacy, nil, ch, resp); err != nil {
		t.Fatal(err)
	}
	// The leniency covers the modulus only: a negative exponent stays refused.
	neg := bytes.Clone(legacy)
	i := bytes.LastIndex(neg, []byte{0x02, 0x03, 0x01, 0x00, 0x01})
	neg[i+2] = 0x81
	checkReason(t, Verify(neg, nil, ch, resp), ReasonKeyMalformed)
}

func TestCheckReportsKeyAndHash(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func(testing.TB) ([]byte, []byte, []byte, []byte)
		want  Result
	}{
		{"RSA-1024 BC", rsaSigned(k1024, crypto.SHA1, false, false, nil), Result{"RSA-1024", crypto.SHA1}},
		{"RSA-2048 34CC", rsaSigned(k2048, crypto.SHA256, true, false, nil), Result{"RSA-2048", crypto.SHA256}},
		{"RSA-1024 35CC alternative", rsaSigned(k1024, crypto.SHA512, true, true, nil), Result{"RSA-1024", crypto.SHA512}},
		{"EC P-384", ecSigned(p384, oidECDSASHA384, crypto.SHA384, nil), Result{"EC P-384", crypto.SHA384}},
		{"EC P-256 plain SHA-1", ecSigned(p256, oidPlainSHA1, crypto.SHA1, nil), Result{"EC P-256", crypto.SHA1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dg15, dg14, ch, resp := c.build(t)
			got, err := Check(dg15, dg14, ch, resp)
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
			if got, err := Check(dg15, dg14, ch, flip(resp, 100)); err == nil || got != (Result{}) {
				t.Fatalf("bad signature: %+v, %v", got, err)
			}
		})
	}
}
