package dg2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"testing"
)

type sample struct {
	name        string
	input       func(testing.TB) []byte
	image       func(testing.TB) []byte // the exact image bytes expected
	encoding    Encoding
	typ, decl   ImageType
	w, h        int // 0: take them from image/jpeg decoding the expected image
	declW       int
	declH       int
	faceImgType int
}

func rec19794(tb testing.TB) []byte { return readSample(tb, dg2Dir, "ISO19794_5_Test1_FaceRecord.bin") }
func jpg19794(tb testing.TB) []byte { return readSample(tb, dg2Dir, "ISO19794_5_Test1_Face.jpg") }
func dg39794(tb testing.TB) []byte  { return readSample(tb, dg2Dir, "ICAO_39794_5_DG2_AllFields.dat") }

// img39794 is named .jpg in the test data but is a JP2 file (magic 0000000C 'jP  ').
func img39794(tb testing.TB) []byte { return readSample(tb, dg2Dir, "ICAO_39794_5_DG2_Face.jpg") }

func samples() []sample {
	s19794 := sample{encoding: ISO19794, image: jpg19794, typ: ImageJPEG,
		// The sample's record declares JPEG 2000 (image data type 1) for a JPEG.
		decl: ImageJPEG2000, declW: 148, declH: 70, faceImgType: 2}
	// The AllFields sample declares 572x731 while its JP2 header (ihdr and SIZ,
	// read with xxd) says 413x531: the image header wins.
	s39794 := sample{encoding: ISO39794, image: img39794, typ: ImageJPEG2000, decl: ImageJPEG2000,
		w: 413, h: 531, declW: 572, declH: 731, faceImgType: -1}
	var out []sample
	add := func(base sample, name string, in func(testing.TB) []byte) {
		base.name, base.input = name, in
		out = append(out, base)
	}
	add(s19794, "19794 bare record", rec19794)
	add(s19794, "19794 in DG2 5F2E", func(tb testing.TB) []byte { return wrapDG2(0x5F2E, rec19794(tb)) })
	add(s19794, "19794 in DG2 7F2E", func(tb testing.TB) []byte { return wrapDG2(0x7F2E, rec19794(tb)) })
	add(s39794, "39794 DG2", dg39794)
	add(s39794, "39794 bare with DG2 [1] tag", func(tb testing.TB) []byte { return dataBlock(tb, dg39794(tb)) })
	add(s39794, "39794 bare block", func(tb testing.TB) []byte {
		w, err := only(dataBlock(tb, dg39794(tb)), 0xA1)
		if err != nil {
			tb.Fatal(err)
		}
		return w.value
	})
	add(s39794, "39794 in DG2 5F2E", func(tb testing.TB) []byte { return wrapDG2(0x5F2E, dataBlock(tb, dg39794(tb))) })
	// A real chip's DG2 (BSI 2008 specimen): 19794-5 record with a JP2 image
	// that runs from record offset 46 to the end of the file.
	out = append(out, sample{
		name:  "bsi2008 DG2",
		input: func(tb testing.TB) []byte { return readSample(tb, bsi2008, "Datagroup2.bin") },
		image: func(tb testing.TB) []byte {
			b := readSample(tb, bsi2008, "Datagroup2.bin")
			return b[bytes.Index(b, []byte("FAC\x00"))+46:]
		},
		encoding: ISO19794, typ: ImageJPEG2000, decl: ImageJPEG2000,
		// Its record declares 337x449; the JP2 ihdr (read with xxd) says 413x531.
		w: 413, h: 531, declW: 337, declH: 449, faceImgType: 1,
	})
	return out
}

func TestParseSamples(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			in := s.input(t)
			want := s.image(t)
			f, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !bytes.Equal(f.Image, want) {
				t.Fatalf("image: got %d bytes, want the %d bytes of the sample image", len(f.Image), len(want))
			}
			if f.Encoding != s.encoding || f.ImageType != s.typ || f.DeclaredType != s.decl {
				t.Errorf("encoding/type/declared = %v/%v/%v, want %v/%v/%v",
					f.Encoding, f.ImageType, f.DeclaredType, s.encoding, s.typ, s.decl)
			}
			w, h := s.w, s.h
			if w == 0 {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(want))
				if err != nil {
					t.Fatalf("image/jpeg: %v", err)
				}
				w, h = cfg.Width, cfg.Height
			}
			if f.Width != w || f.Height != h {
				t.Errorf("size %dx%d, want %dx%d", f.Width, f.Height, w, h)
			}
			if f.DeclaredWidth != s.declW || f.DeclaredHeight != s.declH {
				t.Errorf("declared size %dx%d, want %dx%d", f.DeclaredWidth, f.DeclaredHeight, s.declW, s.declH)
			}
			if f.FaceImageType != s.faceImgType {
				t.Errorf("face image type %d, want %d", f.FaceImageType, s.faceImgType)
			}
			// The image must not alias the input.
			for i := range in {
				in[i] = 0
			}
			if !bytes.Equal(f.Image, want) {
				t.Error("image aliases the input")
			}
		})
	}
}

func TestTruncationRejected(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			in := s.input(t)
			for n := 0; n < len(in); n++ {
				fs, err := Faces(in[:n])
				if err == nil {
					t.Fatalf("prefix of %d/%d bytes accepted (%d faces)", n, len(in), len(fs))
				}
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("prefix %d: error %T is not a *ParseError", n, err)
				}
			}
		})
	}
}

func TestMetadata19794(t *testing.T) {
	rec := rec19794(t)
	// Facial information block starts at 14: length(4) points(2) gender eye hair mask(3) expr(2) pose(3).
	copy(rec[20:], []byte{2, 3, 4, 0x00, 0x00, 0x03, 0x00, 0x01, 91, 101, 1})
	f, err := Parse(rec)
	if err != nil {
		t.Fatal(err)
	}
	if f.Gender != GenderFemale || f.EyeColour.String() != "brown" || f.HairColour.String() != "brown" {
		t.Errorf("gender/eye/hair = %v/%v/%v", f.Gender, f.EyeColour, f.HairColour)
	}
	if f.FeatureMask != 3 || f.Expression != 1 {
		t.Errorf("mask %#x expression %d", f.FeatureMask, f.Expression)
	}
	for _, c := range []struct {
		code uint8
		deg  int
		ok   bool
	}{{f.Pose.Yaw, 0, true}, {f.Pose.Pitch, 20, true}, {f.Pose.Roll, -180, true}, {0, 0, false}, {182, 0, false}} {
		if d, ok := Degrees(c.code); d != c.deg || ok != c.ok {
			t.Errorf("Degrees(%d) = %d,%v want %d,%v", c.code, d, ok, c.deg, c.ok)
		}
	}
}

func TestSeveralFaces(t *testing.T) {
	rec := rec19794(t)
	// One record holding the same facial block twice.
	blk := rec[14:]
	two := append(append(append([]byte{}, rec[:14]...), blk...), blk...)
	binary.BigEndian.PutUint32(two[8:], uint32(len(two)))
	binary.BigEndian.PutUint16(two[12:], 2)
	for name, in := range map[string][]byte{
		"two blocks in one record": two,
		"two templates in a DG2":   wrapDG2(0x5F2E, rec, dataBlock(t, dg39794(t))),
	} {
		fs, err := Faces(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(fs) != 2 || len(fs[0].Image) == 0 || len(fs[1].Image) == 0 {
			t.Fatalf("%s: %d faces", name, len(fs))
		}
	}
}
