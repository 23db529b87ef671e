package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// secp256k1 (a = 0) is not in the named list, so it exercises the full
// validation path for unknown explicit parameters.
var secp256k1 = &Curve{
	P:  hexInt("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
	A:  new(big.Int),
	B:  big.NewInt(7),
	Gx: hexInt("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
	Gy: hexInt("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
	N:  hexInt("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
}

func pad(n *big.Int, size int) []byte { return n.FillBytes(make([]byte, size)) }

func encodePoint(c *Curve, x, y *big.Int) []byte {
	return append(append([]byte{4}, pad(x, c.ByteLen())...), pad(y, c.ByteLen())...)
}

// explicitSPKI encodes an ecPublicKey SPKI with SpecifiedECDomain parameters.
func explicitSPKI(c *Curve, x, y *big.Int, fieldOID asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidECPublicKey)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(fieldOID)
					b.AddASN1BigInt(c.P)
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(pad(c.A, c.ByteLen()))
					b.AddASN1OctetString(pad(c.B, c.ByteLen()))
				})
				b.AddASN1OctetString(encodePoint(c, c.Gx, c.Gy))
				b.AddASN1BigInt(c.N)
				b.AddASN1Int64(1)
			})
		})
		b.AddASN1BitString(encodePoint(c, x, y))
	})
	return b.BytesOrPanic()
}

func TestParsePublicKeyExplicit(t *testing.T) {
	bp := BrainpoolP256r1
	_, bpKey := testKey(t, bp)
	_, k1Key := testKey(t, secp256k1)
	offCurve := *secp256k1
	offCurve.Gy = new(big.Int).Add(secp256k1.Gy, big.NewInt(1))
	composite := *secp256k1
	composite.P = new(big.Int).Add(secp256k1.P, big.NewInt(2))
	cases := []struct {
		name     string
		spki     []byte
		wantName string
		wantErr  bool
	}{
		{"brainpool explicit is recognised", explicitSPKI(bp, bpKey.X, bpKey.Y, oidPrimeField), "brainpoolP256r1", false},
		{"unknown curve validated", explicitSPKI(secp256k1, k1Key.X, k1Key.Y, oidPrimeField), "", false},
		{"key off curve", explicitSPKI(bp, bpKey.X, new(big.Int).Add(bpKey.Y, big.NewInt(1)), oidPrimeField), "", true},
		{"base point off curve", explicitSPKI(&offCurve, k1Key.X, k1Key.Y, oidPrimeField), "", true},
		{"composite modulus", explicitSPKI(&composite, k1Key.X, k1Key.Y, oidPrimeField), "", true},
		{"binary field", explicitSPKI(bp, bpKey.X, bpKey.Y, asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 2}), "", true},
		{"empty", nil, "", true},
		{"truncated", explicitSPKI(bp, bpKey.X, bpKey.Y, oidPrimeField)[:100], "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := ParsePublicKey(tc.spki)
			if tc.wantErr {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k := pub.(*ECPublicKey)
			if k.Curve.Name != tc.wantName || !k.Explicit {
				t.Errorf("curve %q explicit %v", k.Curve.Name, k.Explicit)
			}
		})
	}
}

func TestVerifyOnUnnamedCurve(t *testing.T) {
	d, k := testKey(t, secp256k1)
	pub, err := ParsePublicKey(explicitSPKI(secp256k1, k.X, k.Y, oidPrimeField))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("tbs")
	digest := sha256.Sum256(msg)
	r, s := testSign(t, secp256k1, d, digest[:])
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(r); b.AddASN1BigInt(s) })
	sig := b.BytesOrPanic()
	alg := AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}
	if err := VerifySignature(pub, alg, msg, sig); err != nil {
		t.Fatal(err)
	}
	if VerifySignature(pub, alg, []byte("tbs!"), sig) == nil {
		t.Error("other message verified")
	}
	if VerifySignature(pub, alg, msg, append(sig, 0)) == nil {
		t.Error("trailing data accepted")
	}
	// The same signature in BSI TR-03111 plain form (r || s, 32 bytes each).
	plain := AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}}
	rs := append(pad(r, 32), pad(s, 32)...)
	if err := VerifySignature(pub, plain, msg, rs); err != nil {
		t.Errorf("plain: %v", err)
	}
	if VerifySignature(pub, plain, msg, rs[1:]) == nil {
		t.Error("plain signature of the wrong length accepted")
	}
	if VerifySignature(pub, plain, msg, sig) == nil {
		t.Error("DER signature accepted as plain")
	}
}

func pssParams(hash, mgfHash asn1.ObjectIdentifier, salt, trailer int64) []byte {
	var b cryptobyte.Builder
	hashAlg := func(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid); b.AddASN1NULL() })
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { hashAlg(b, hash) })
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidMGF1); hashAlg(b, mgfHash) })
		})
		b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(salt) })
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(trailer) })
	})
	return b.BytesOrPanic()
}

func TestRSAPSS(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sha256OID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	sha1OID := asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	msg := []byte("tbs")
	digest := sha256.Sum256(msg)
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params []byte
		ok     bool
	}{
		{"sha256 salt 32", pssParams(sha256OID, sha256OID, 32, 1), true},
		{"wrong salt length", pssParams(sha256OID, sha256OID, 20, 1), false},
		{"mgf hash differs", pssParams(sha256OID, sha1OID, 32, 1), false},
		{"trailer 2", pssParams(sha256OID, sha256OID, 32, 2), false},
		{"defaults mean sha1", []byte{0x30, 0}, false},
		{"garbage", []byte{1, 2, 3}, false},
	}
	for _, tc := range cases {
		err := VerifySignature(&key.PublicKey, AlgorithmIdentifier{oidRSASSAPSS, tc.params}, msg, sig)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pub, err := ParsePublicKey(spki)
	if err != nil || pub.(*rsa.PublicKey).N.Cmp(key.N) != 0 {
		t.Fatalf("RSA SPKI: %v", err)
	}
	if VerifySignature(pub, AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}, msg, sig) == nil {
		t.Error("ECDSA algorithm accepted with an RSA key")
	}
}

func FuzzPSSParams(f *testing.F) {
	sha256OID := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	f.Add(pssParams(sha256OID, sha256OID, 32, 1))
	f.Add([]byte{0x30, 0})
	f.Fuzz(func(t *testing.T, der []byte) {
		if h, salt, err := parsePSSParams(der); err == nil && (!h.Available() || salt < 0) {
			t.Fatalf("accepted hash %v salt %d", h, salt)
		}
	})
}

func FuzzECDSASig(f *testing.F) {
	f.Add([]byte{0x30, 6, 2, 1, 1, 2, 1, 1})
	f.Fuzz(func(t *testing.T, sig []byte) {
		if r, s, ok := parseECDSASig(sig); ok {
			k := &ECPublicKey{Curve: BrainpoolP256r1, X: BrainpoolP256r1.Gx, Y: BrainpoolP256r1.Gy}
			_ = k.Verify(make([]byte, 32), r, s) // must not panic on any r, s
		}
	})
}
