package pki

import (
	"crypto/elliptic"
	"crypto/sha256"
	"testing"
)

// BenchmarkVerify times one ECDSA verification per curve: the brainpool
// curves of passports, P-256 through the generic code, and P-256 through
// crypto/ecdsa for comparison.
func BenchmarkVerify(b *testing.B) {
	p256 := fromStd(elliptic.P256())
	cases := []struct {
		name    string
		c       *Curve
		generic bool
	}{
		{"brainpoolP256r1", BrainpoolP256r1, true},
		{"brainpoolP384r1", BrainpoolP384r1, true},
		{"brainpoolP512r1", BrainpoolP512r1, true},
		{"generic-P-256", p256, true},
		{"stdlib-P-256", p256, false},
		{"unnamed-secp256k1", secp256k1, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			d, k := testKey(b, tc.c)
			digest := sha256.Sum256([]byte("bench"))
			r, s := testSign(b, tc.c, d, digest[:])
			verify := k.Verify
			if tc.generic {
				verify = k.verifyGeneric
			}
			b.ReportAllocs()
			for b.Loop() {
				if !verify(digest[:], r, s) {
					b.Fatal("no verify")
				}
			}
		})
	}
}

// BenchmarkParseExplicitKey parses SubjectPublicKeyInfos with explicit
// domain parameters, as German and other Document Signer certificates carry
// them: a known curve is matched and skips validation (no primality tests);
// an unnamed curve pays for the full check.
func BenchmarkParseExplicitKey(b *testing.B) {
	for _, c := range []*Curve{BrainpoolP384r1, secp256k1} {
		_, k := testKey(b, c)
		spki := explicitSPKI(c, k.X, k.Y, oidPrimeField)
		name := c.Name
		if name == "" {
			name = "unnamed-secp256k1"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParsePublicKey(spki); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
