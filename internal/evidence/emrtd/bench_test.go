package emrtd

import (
	"testing"
	"time"
)

// BenchmarkPassiveAuth is a full Verify (parse the SOD, check its
// signature, chain the DS through the real master lists, hash the data
// groups) per real SOD, and for the BSI specimen with its data groups.
func BenchmarkPassiveAuth(b *testing.B) {
	start := time.Now()
	store := loadStore(b)
	b.Logf("master lists imported in %v (first load in this process; later calls reuse it)", time.Since(start))
	for _, cc := range countries {
		in := Input{SOD: readData(b, "sod/"+cc+"_EF_SOD.bin")}
		b.Run(cc, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := Verify(in, store, testNow); !r.Check(CheckChain).OK {
					b.Fatal(r.Reasons)
				}
			}
		})
	}
	in := bsiInput(b)
	b.Run("BSI2008", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := Verify(in, store, testNow); !r.Check(CheckSignature).OK || r.Document == nil {
				b.Fatal(r.Reasons)
			}
		}
	})
}
