package emrtd

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParseCOM(f *testing.F) {
	f.Add(readData(f, "bsi2008/EF_COM.bin"))
	f.Add(com("0107", "040000", "\x61\x75\x63\x76\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70"))
	f.Add([]byte("\x60\x81\x14\x5f\x01\x040107\x5f\x36\x06040000\x5c\x02\x61\x75"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCOM(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonCOMMalformed || c != nil {
				t.Fatalf("bad error %v with %+v", err, c)
			}
			return
		}
		if len(c.DataGroups) == 0 || len(c.DataGroups) > 16 || len(c.LDSVersion) != 4 {
			t.Fatalf("accepted %+v", c)
		}
	})
}

func FuzzParseDG1(f *testing.F) {
	f.Add(readData(f, "bsi2008/Datagroup1.bin"))
	for _, m := range [][]string{specimenTD1, specimenTD2, specimenTD3} {
		f.Add(dg1Of(strings.Join(m, "")))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDG1(b, testNow)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonDG1Malformed || d != nil {
				t.Fatalf("bad error %v with %+v", err, d)
			}
			return
		}
		if d.DocumentNumber == "" || len(d.Lines) < 2 {
			t.Fatalf("accepted %+v", d)
		}
	})
}

// FuzzVerify feeds fuzzed SOD, DG1 and DG2 bytes with the real master
// lists loaded. Verify must not panic, and must never pass: the fuzzer
// cannot forge a signature chained to a real CSCA over DG1. Each run costs
// a signature check, so minimising a new input can take the engine's whole
// default minute: run it with -fuzzminimizetime=10x.
func FuzzVerify(f *testing.F) {
	bsi := bsiInput(f)
	f.Add(bsi.SOD, bsi.DataGroups[1], bsi.DataGroups[2][:512], "")
	f.Add(bsi.SOD, bsi.DataGroups[1], bsi.DataGroups[2][:1024], strings.Join(bsiMRZ, "\n"))
	for _, cc := range countries {
		f.Add(readData(f, "sod/"+cc+"_EF_SOD.bin"), []byte{}, []byte{}, "")
	}
	store := loadStore(f)
	f.Fuzz(func(t *testing.T, sod, dg1, dg2 []byte, printed string) {
		in := Input{SOD: sod, DataGroups: map[int][]byte{1: dg1, 2: dg2}, PrintedMRZ: printed,
			COM: bsi.COM, Challenge: []byte("12345678"), AAResponse: dg2}
		r := Verify(in, store, testNow)
		if r.PassiveAuth || r.Accept() {
			t.Fatalf("fuzzed input passed: %+v", r)
		}
		if len(r.Reasons) == 0 {
			t.Fatal("failed without a reason")
		}
		for _, c := range r.Checks {
			if c.OK == (c.Reason != "") && !c.Skipped || c.Skipped && (c.OK || c.Reason != "") {
				t.Fatalf("inconsistent check %+v", c)
			}
		}
	})
}
