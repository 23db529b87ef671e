package chip

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// keyBits returns the subjectPublicKey BIT STRING content of a DER SPKI.
func keyBits(t *testing.T, spki []byte) []byte {
	t.Helper()
	in := cryptobyte.String(spki)
	var seq, bits cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1(&bits, cbasn1.BIT_STRING) {
		t.Fatal("bad SPKI")
	}
	return bits[1:]
}

// verify runs the whole chip-local check and returns the first reason.
func verify(b []byte) string {
	s, err := ParseSOD(b)
	if err != nil {
		return reasonOf(err)
	}
	return reasonOf(s.VerifySignature())
}

func flipEach(t *testing.T, file []byte, region []byte, step int, allowed ...string) {
	t.Helper()
	off := bytes.Index(file, region)
	if off < 0 {
		t.Fatal("region not found in file")
	}
	for i := 0; i < len(region); i += step {
		b := bytes.Clone(file)
		b[off+i] ^= 1 << (i % 8)
		got := verify(b)
		ok := false
		for _, a := range allowed {
			ok = ok || got == a
		}
		if !ok {
			t.Errorf("bit flip at region byte %d: reason %q, want one of %v", i, got, allowed)
		}
	}
}

func TestTampering(t *testing.T) {
	for _, c := range append(countries, "BSI2008") {
		t.Run(c, func(t *testing.T) {
			path := "sod/" + c + "_EF_SOD.bin"
			if c == "BSI2008" {
				path = "bsi2008/EF_SOD.bin"
			}
			file := readData(t, path)
			s, err := ParseSOD(file)
			if err != nil {
				t.Fatal(err)
			}
			t.Run("eContent", func(t *testing.T) {
				flipEach(t, file, s.eContent, 1, ReasonMalformed, ReasonSignatureInvalid)
			})
			t.Run("signature", func(t *testing.T) {
				flipEach(t, file, s.signer.signature, 1, ReasonMalformed, ReasonSignatureInvalid)
			})
			t.Run("signedAttrs", func(t *testing.T) {
				flipEach(t, file, s.signer.signedAttrs, 1, ReasonMalformed, ReasonSignatureInvalid)
			})
			// The SOD signature does not cover the DS certificate: only the
			// key bits and the signer identifier can fail here. Any other
			// flip may pass, but then DocumentSigner.Raw differs from what
			// the CSCA signed, so the chain check (not this package) fails.
			t.Run("DS key bits", func(t *testing.T) {
				flipEach(t, file, keyBits(t, s.DocumentSigner.RawSubjectPublicKeyInfo), 1, ReasonMalformed, ReasonSignatureInvalid)
			})
			if s.signer.issuer != nil {
				t.Run("signer serial", func(t *testing.T) {
					flipEach(t, file, s.signer.serial.Bytes(), 1, ReasonMalformed, ReasonDSNotFound)
				})
			}
			t.Run("DS any byte", func(t *testing.T) {
				raw := s.DocumentSigner.Raw
				off := bytes.Index(file, raw)
				var failed, passed int
				for i := 0; i < len(raw); i += 3 {
					b := bytes.Clone(file)
					b[off+i] ^= 1 << (i % 8)
					s2, err := ParseSOD(b)
					if err != nil || s2.VerifySignature() != nil {
						failed++
						continue
					}
					passed++
					if bytes.Equal(s2.DocumentSigner.Raw, raw) {
						t.Errorf("flip at DS byte %d passed with the original certificate bytes", i)
					}
				}
				t.Logf("DS flips: %d fail here, %d left to the chain check", failed, passed)
			})
		})
	}
}

func TestTamperedDataGroups(t *testing.T) {
	s, err := ParseSOD(readData(t, "bsi2008/EF_SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 14} {
		dg := readData(t, fmt.Sprintf("bsi2008/Datagroup%d.bin", n))
		step := max(1, len(dg)/200)
		for i := 0; i < len(dg); i += step {
			b := bytes.Clone(dg)
			b[i] ^= 1 << (i % 8)
			res := s.CheckDataGroups(map[int][]byte{n: b})
			if want := fmt.Sprintf("dg-hash-mismatch:DG%d", n); len(res) != 1 || res[0].OK || res[0].Reason != want {
				t.Fatalf("DG%d flip at %d: %+v", n, i, res)
			}
		}
	}
}

func FuzzParseSOD(f *testing.F) {
	for _, c := range countries {
		f.Add(readData(f, "sod/"+c+"_EF_SOD.bin"))
	}
	f.Add(readData(f, "bsi2008/EF_SOD.bin"))
	f.Add([]byte{0x77, 0x80, 0x30, 0x80, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSOD(b)
		if err != nil {
			if reasonOf(err) != ReasonMalformed {
				t.Fatalf("parse error without the malformed reason: %v", err)
			}
			return
		}
		_ = s.VerifySignature()
		_ = s.CheckDataGroups(map[int][]byte{1: b})
	})
}

func benchVerify(b *testing.B, path string) {
	s, err := ParseSOD(readData(b, path))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.VerifySignature(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyECDSABrainpoolAT(b *testing.B) { benchVerify(b, "sod/AT_EF_SOD.bin") }
func BenchmarkVerifyECDSABrainpoolDE(b *testing.B) { benchVerify(b, "sod/DE_EF_SOD.bin") }
func BenchmarkVerifyRSAPKCS1FR(b *testing.B)       { benchVerify(b, "sod/FR_EF_SOD.bin") }
func BenchmarkVerifyRSAPSSMY(b *testing.B)         { benchVerify(b, "sod/MY_EF_SOD.bin") }
