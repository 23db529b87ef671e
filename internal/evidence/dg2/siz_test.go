package dg2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// sizSegment builds SOC + SIZ for a w x h image in tw x th tiles with the
// given component count (8-bit, no subsampling).
func sizSegment(w, h, tw, th uint32, comps int) []byte {
	b := []byte{0xFF, 0x4F, 0xFF, 0x51}
	b = binary.BigEndian.AppendUint16(b, uint16(38+3*comps))
	b = binary.BigEndian.AppendUint16(b, 0)
	for _, v := range []uint32{w, h, 0, 0, tw, th, 0, 0} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(comps))
	for range comps {
		b = append(b, 7, 1, 1)
	}
	return b
}

func TestReadSIZ(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    []byte
		w, h  int
		comps int
		ok    bool
	}{
		{"RGB one tile", sizSegment(413, 531, 413, 531, 3), 413, 531, 3, true},
		{"grey 64x64 tiles", sizSegment(640, 480, 64, 64, 1), 640, 480, 1, true},
		{"largest side", sizSegment(maxSide, 1, maxSide, 1, 1), maxSide, 1, 1, true},
		{"side over the limit", sizSegment(maxSide+1, 1, maxSide+1, 1, 1), 0, 0, 0, false},
		{"no components", sizSegment(10, 10, 10, 10, 0), 0, 0, 0, false},
		{"five components", sizSegment(10, 10, 10, 10, 5), 0, 0, 0, false},
		{"zero tile width", sizSegment(10, 10, 0, 10, 1), 0, 0, 0, false},
		{"1x1 tiles", sizSegment(100, 100, 1, 1, 1), 0, 0, 0, false},
		{"zero width", sizSegment(0, 10, 10, 10, 1), 0, 0, 0, false},
		{"truncated", sizSegment(10, 10, 10, 10, 3)[:45], 0, 0, 0, false},
		{"Lsiz wrong", func() []byte { b := sizSegment(10, 10, 10, 10, 1); b[5]++; return b }(), 0, 0, 0, false},
		{"no SOC", sizSegment(10, 10, 10, 10, 1)[2:], 0, 0, 0, false},
		{"depth 39 bits", func() []byte { b := sizSegment(10, 10, 10, 10, 1); b[42] = 38; return b }(), 0, 0, 0, false},
		{"zero sampling", func() []byte { b := sizSegment(10, 10, 10, 10, 1); b[43] = 0; return b }(), 0, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := readSIZ(c.in)
			if c.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrDecode) {
				t.Fatalf("error %v does not wrap ErrDecode", err)
			}
			if s.width != c.w || s.height != c.h || s.components != c.comps {
				t.Fatalf("got %+v", s)
			}
		})
	}
}

// FuzzReadSIZ: the SIZ check guards the external decoder, so whatever it
// accepts must be inside the limits it promises.
func FuzzReadSIZ(f *testing.F) {
	f.Add(sizSegment(413, 531, 413, 531, 3))
	f.Add(sizSegment(640, 480, 64, 64, 1))
	jp2 := img39794(f)
	f.Add(jp2[bytes.Index(jp2, j2kCodestart):])
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := readSIZ(b)
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("error %v does not wrap ErrDecode", err)
			}
			return
		}
		if s.width < 1 || s.height < 1 || s.width > maxSide || s.height > maxSide || s.components < 1 || s.components > 4 {
			t.Fatalf("accepted %+v", s)
		}
	})
}
