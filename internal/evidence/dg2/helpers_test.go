package dg2

import (
	"os"
	"path/filepath"
	"testing"
)

const (
	dg2Dir  = "../../../../shared/testdata/emrtd/dg2"
	bsi2008 = "../../../../shared/testdata/emrtd/bsi2008"
)

// readSample reads a file of the shared test data, which lives beside the
// clone (four levels up from this package, not three); a missing file fails under CI=true
// and skips otherwise (the data lives outside the module).
func readSample(tb testing.TB, dir, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			tb.Skipf("test data missing: %v", err)
		}
		tb.Fatalf("read test data: %v", err)
	}
	return b
}

// enc encodes one BER-TLV element with a definite length (test builder only).
func enc(tag uint32, value ...[]byte) []byte {
	var body []byte
	for _, v := range value {
		body = append(body, v...)
	}
	var out []byte
	for shift := 24; shift >= 0; shift -= 8 {
		if c := byte(tag >> shift); c != 0 || len(out) > 0 || shift == 0 {
			out = append(out, c)
		}
	}
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// wrapDG2 builds a DG2 holding one biometric information template per block.
func wrapDG2(dataTag uint32, blocks ...[]byte) []byte {
	group := [][]byte{enc(0x02, []byte{byte(len(blocks))})}
	for _, b := range blocks {
		header := enc(0xA1, enc(0x80, []byte{1, 1}), enc(0x81, []byte{2}))
		group = append(group, enc(0x7F60, header, enc(dataTag, b)))
	}
	return enc(0x75, enc(0x7F61, group...))
}

// dataBlock returns the value of the first 5F2E/7F2E in a one-face DG2.
func dataBlock(tb testing.TB, dg2 []byte) []byte {
	tb.Helper()
	outer, err := only(dg2, 0x75)
	if err != nil {
		tb.Fatal(err)
	}
	group, err := only(outer.value, 0x7F61)
	if err != nil {
		tb.Fatal(err)
	}
	elems, err := children(group.value, 8)
	if err != nil || len(elems) < 2 {
		tb.Fatalf("group: %v", err)
	}
	bit, err := children(elems[1].value, 4)
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range bit {
		if t.tag == 0x5F2E || t.tag == 0x7F2E {
			return t.value
		}
	}
	tb.Fatal("no biometric data block")
	return nil
}
