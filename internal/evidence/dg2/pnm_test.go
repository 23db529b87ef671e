package dg2

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestReadPNM(t *testing.T) {
	px := func(n int) []byte { return bytes.Repeat([]byte{9}, n) }
	cat := func(h string, p []byte) []byte { return append([]byte(h), p...) }
	for _, c := range []struct {
		name string
		in   []byte
		want color.Color // colour of pixel (1, 1); nil: must fail
	}{
		{"P5 as opj writes it", cat("P5\n#OpenJPEG-2.5.0\n3 2\n255\n", px(6)), color.Gray{9}},
		{"P6 as opj writes it", cat("P6\n# OpenJPEG-2.5.0\n3 2\n255\n", px(18)), color.NRGBA{9, 9, 9, 255}},
		{"P7 RGBA", cat("P7\n# OpenJPEG-2.5.0\nWIDTH 3\nHEIGHT 2\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n", px(24)), color.NRGBA{9, 9, 9, 9}},
		{"P7 grey alpha", cat("P7\nWIDTH 3\nHEIGHT 2\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n", px(12)), color.NRGBA{9, 9, 9, 9}},
		{"one byte short", cat("P6\n3 2\n255\n", px(17)), nil},
		{"one byte long", cat("P6\n3 2\n255\n", px(19)), nil},
		{"other size", cat("P6\n2 3\n255\n", px(18)), nil},
		{"16-bit", cat("P6\n3 2\n65535\n", px(36)), nil},
		{"no separator", []byte("P6\n3 2\n255"), nil},
		{"P4 bitmap", cat("P4\n3 2\n", px(2)), nil},
		{"P7 depth 5", cat("P7\nWIDTH 3\nHEIGHT 2\nDEPTH 5\nMAXVAL 255\nENDHDR\n", px(30)), nil},
		{"P7 unknown field", cat("P7\nWIDTH 3\nHEIGHT 2\nDEPTH 1\nMAXVAL 255\nCOLOUR 1\nENDHDR\n", px(6)), nil},
		{"P7 without ENDHDR", []byte("P7\nWIDTH 3\nHEIGHT 2\nDEPTH 1\nMAXVAL 255\n"), nil},
		{"P7 fields repeated", []byte("P7\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nWIDTH 3\nENDHDR\n"), nil},
		{"huge width", cat("P5\n99999999999999999999 2\n255\n", px(6)), nil},
		{"negative width", cat("P5\n-3 2\n255\n", px(6)), nil},
		{"long token", cat("P5\n3 2\n255"+strings.Repeat("x", 40)+"\n", px(6)), nil},
		{"empty", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			img, err := readPNM(c.in, 3, 2)
			if c.want == nil {
				if err == nil || !errors.Is(err, ErrDecode) || img != nil {
					t.Fatalf("accepted or untyped: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, 3, 2) {
				t.Fatalf("bounds %v", img.Bounds())
			}
			if got, want := color.NRGBAModel.Convert(img.At(1, 1)), color.NRGBAModel.Convert(c.want); got != want {
				t.Fatalf("pixel %v, want %v", got, want)
			}
		})
	}
}

// FuzzReadPNM: the decoder's output is as untrusted as its input.
func FuzzReadPNM(f *testing.F) {
	f.Add([]byte("P6\n# OpenJPEG-2.5.0\n3 2\n255\n012345678901234567"), uint8(3), uint8(2))
	f.Add([]byte("P7\nWIDTH 1\nHEIGHT 1\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\nabcd"), uint8(1), uint8(1))
	f.Add([]byte("P5\n#c\n2 1\n255\nab"), uint8(2), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, w, h uint8) {
		img, err := readPNM(b, int(w), int(h))
		if err != nil {
			if img != nil || !errors.Is(err, ErrDecode) {
				t.Fatalf("%v with image %v", err, img != nil)
			}
			return
		}
		if img.Bounds() != image.Rect(0, 0, int(w), int(h)) {
			t.Fatalf("bounds %v for %dx%d", img.Bounds(), w, h)
		}
		img.At(int(w)-1, int(h)-1)
	})
}
