package emrtd

import (
	"bytes"
	"flag"
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

// Every flip costs a full Verify (brainpool arithmetic for most SODs), so
// by default each region is sampled at evenly spread positions; -tamper.all
// flips every byte (minutes).
var tamperAll = flag.Bool("tamper.all", false, "flip every byte of every region in the tampering tests")

// stepFor spreads about n flips over a region of size size.
func stepFor(size, n int) int {
	if *tamperAll {
		return 1
	}
	return max(1, size/n)
}

// cryptoReasons are the reasons a flipped SOD byte may produce: whatever
// the byte, the SOD, its signature or the chain must fail.
var cryptoReasons = []string{chip.ReasonMalformed, chip.ReasonSignatureInvalid, chip.ReasonDSNotFound,
	trust.ReasonCSCAUnknown, trust.ReasonDSNotChained, trust.ReasonDSExpired, trust.ReasonDSKeyUsage}

// flipRegion flips one bit in every step-th byte of region (located in
// in.SOD, or in a data group when dg > 0), verifies, and hands the report
// to check.
func flipRegion(t *testing.T, in Input, tr Trust, dg int, region []byte, step int, check func(i int, r *Report)) {
	t.Helper()
	file := in.SOD
	if dg > 0 {
		file = in.DataGroups[dg]
	}
	off := bytes.Index(file, region)
	if off < 0 || len(region) == 0 {
		t.Fatal("region not found")
	}
	for i := 0; i < len(region); i += step {
		b := bytes.Clone(file)
		b[off+i] ^= 1 << (i % 8)
		mod := in
		if dg > 0 {
			mod.DataGroups = map[int][]byte{}
			for n, g := range in.DataGroups {
				mod.DataGroups[n] = g
			}
			mod.DataGroups[dg] = b
		} else {
			mod.SOD = b
		}
		r := Verify(mod, tr, testNow)
		if r.PassiveAuth || r.Accept() {
			t.Fatalf("flip at byte %d passed", i)
		}
		check(i, r)
	}
}

// wantCrypto fails unless one of the SOD, signature or chain checks failed
// (not merely the data groups) with a known reason.
func wantCrypto(t *testing.T) func(int, *Report) {
	return func(i int, r *Report) {
		for _, reason := range r.Reasons {
			if slices.Contains(cryptoReasons, reason) {
				return
			}
		}
		t.Errorf("flip at byte %d: reasons %v, none from the SOD or chain", i, r.Reasons)
	}
}

// TestTamperingRealSODs flips bits across each real SOD, with the real
// master lists loaded. The SOD signature does not cover the DS certificate,
// so chip alone passes some DS flips; the chain check must catch them all.
func TestTamperingRealSODs(t *testing.T) {
	store := loadStore(t)
	for _, cc := range countries {
		t.Run(cc, func(t *testing.T) {
			in := Input{SOD: readData(t, "sod/"+cc+"_EF_SOD.bin")}
			base := Verify(in, store, testNow)
			if c := base.Check(CheckChain); !c.OK {
				t.Fatalf("untampered: %+v", c)
			}
			sod, err := chip.ParseSOD(in.SOD)
			if err != nil {
				t.Fatal(err)
			}
			ds := sod.DocumentSigner
			byReason := map[string]int{}
			flipRegion(t, in, store, 0, ds.Raw, stepFor(len(ds.Raw), 64), func(i int, r *Report) {
				wantCrypto(t)(i, r)
				for _, name := range []string{CheckSOD, CheckSignature, CheckChain} {
					if c := r.Check(name); c != nil && c.Reason != "" {
						byReason[c.Reason]++
						break
					}
				}
			})
			t.Logf("DS certificate (%d bytes) flips caught: %v", len(ds.Raw), byReason)
			if byReason[trust.ReasonDSNotChained]+byReason[trust.ReasonCSCAUnknown] == 0 {
				t.Error("no DS flip reached the chain check: the gap this test covers is not exercised")
			}
			eContent := ldsSecurityObject(t, in.SOD, sod)
			flipRegion(t, in, store, 0, eContent, stepFor(len(eContent), 16), wantCrypto(t))
			sig := ds.Signature // the DS's own signature, by the CSCA
			flipRegion(t, in, store, 0, sig, stepFor(len(sig), 16), wantCrypto(t))
			// The SOD's signature is the last OCTET STRING of the file for
			// every real sample: flip its tail.
			tail := in.SOD[len(in.SOD)-min(64, len(in.SOD)/4):]
			flipRegion(t, in, store, 0, tail, stepFor(len(tail), 16), wantCrypto(t))
		})
	}
}

// ldsSecurityObject returns the eContent bytes (the LDSSecurityObject) as
// they appear in the file: the SEQUENCE after the LDS OID's [0] wrapper.
func ldsSecurityObject(t *testing.T, file []byte, sod *chip.SOD) []byte {
	t.Helper()
	// The LDSSecurityObject starts with SEQUENCE { INTEGER version,
	// AlgorithmIdentifier ...}; find the hash list through a known hash.
	for _, h := range sod.DataGroupHashes {
		if i := bytes.Index(file, h); i > 0 {
			start := bytes.Index(file, []byte{0x06, 0x06, 0x67, 0x81, 0x08, 0x01, 0x01, 0x01}) // id-icao-ldsSecurityObject
			if start < 0 || start > i {
				t.Fatal("LDS OID not found before the hashes")
			}
			return file[start+8 : i+len(h)]
		}
	}
	t.Fatal("no hash found in the file")
	return nil
}

// TestTamperingBSI flips bits in the BSI specimen's SOD and data groups.
// Its chain always fails (csca-unknown), so the test asserts the specific
// reason each region must add.
func TestTamperingBSI(t *testing.T) {
	in := bsiInput(t)
	store := loadStore(t)
	sod, err := chip.ParseSOD(in.SOD)
	if err != nil {
		t.Fatal(err)
	}
	sodFails := func(i int, r *Report) {
		if !hasReason(r, chip.ReasonMalformed) && !hasReason(r, chip.ReasonSignatureInvalid) && !hasReason(r, chip.ReasonDSNotFound) {
			t.Errorf("flip at byte %d: reasons %v", i, r.Reasons)
		}
	}
	t.Run("eContent", func(t *testing.T) {
		e := ldsSecurityObject(t, in.SOD, sod)
		flipRegion(t, in, store, 0, e, stepFor(len(e), 64), sodFails)
	})
	t.Run("signature", func(t *testing.T) {
		flipRegion(t, in, store, 0, in.SOD[len(in.SOD)-56:], stepFor(56, 56), sodFails)
	})
	t.Run("DS certificate", func(t *testing.T) {
		raw := sod.DocumentSigner.Raw
		flipRegion(t, in, store, 0, raw, stepFor(len(raw), 64), wantCrypto(t))
	})
	for _, n := range bsiGroups {
		t.Run(fmt.Sprintf("DG%d", n), func(t *testing.T) {
			dg := in.DataGroups[n]
			want := fmt.Sprintf("dg-hash-mismatch:DG%d", n)
			flipRegion(t, in, store, n, dg, stepFor(len(dg), 64), func(i int, r *Report) {
				if !hasReason(r, want) || r.Check(checkHashPrefix+fmt.Sprintf("DG%d", n)).OK {
					t.Errorf("flip at byte %d: reasons %v", i, r.Reasons)
				}
			})
		})
	}
}
