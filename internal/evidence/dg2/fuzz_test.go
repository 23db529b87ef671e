package dg2

import (
	"errors"
	"testing"
)

// FuzzParse checks that no input panics, that every refusal is a typed
// error, and that every accepted face is usable. The seeds are whole samples
// of 5 to 15 KB; minimizing each new input grown from them takes up to the
// default -fuzzminimizetime of 60s, during which no new inputs run (a 60 s
// run then shows 0 execs/s after the first seconds). Run it with
// -fuzzminimizetime=5s: 2.2M execs in 180 s that way.
func FuzzParse(f *testing.F) {
	for _, s := range samples() {
		f.Add(s.input(f))
	}
	for _, c := range badCases() {
		if c.name != "oversized input" { // keep the corpus small
			f.Add(c.input(f))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Faces(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if fs != nil {
				t.Fatal("faces returned with an error")
			}
			return
		}
		if len(fs) == 0 || len(fs) > MaxFaces {
			t.Fatalf("%d faces", len(fs))
		}
		for _, face := range fs {
			if len(face.Image) == 0 || face.ImageType == ImageUnknown || face.Width <= 0 || face.Height <= 0 {
				t.Fatalf("unusable face: %d bytes, %v, %dx%d", len(face.Image), face.ImageType, face.Width, face.Height)
			}
			if sniff(face.Image) != face.ImageType {
				t.Fatal("image type disagrees with its magic bytes")
			}
		}
		if p, err := Parse(b); err != nil || p.Encoding != fs[0].Encoding {
			t.Fatalf("Parse disagrees with Faces: %v", err)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, s := range samples() {
		in := s.input(b)
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
