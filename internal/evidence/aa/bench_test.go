package aa

import (
	"crypto"
	"testing"
)

func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct {
		name  string
		build func(testing.TB) ([]byte, []byte, []byte, []byte)
	}{
		{"RSA-1024 SHA-1", rsaSigned(k1024, crypto.SHA1, false, false, nil)},
		{"RSA-2048 SHA-256", rsaSigned(k2048, crypto.SHA256, true, false, nil)},
		{"EC P-256 SHA-256", ecSigned(p256, oidPlainSHA256, crypto.SHA256, nil)},
	} {
		dg15, dg14, ch, resp := c.build(b)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Verify(dg15, dg14, ch, resp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
