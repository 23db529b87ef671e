package dg2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

type badCase struct {
	name  string
	input func(testing.TB) []byte
	want  error
}

// mutate returns a copy of the 19794-5 sample changed by fn.
func mutate(fn func([]byte) []byte) func(testing.TB) []byte {
	return func(tb testing.TB) []byte {
		return fn(bytes.Clone(rec19794(tb)))
	}
}

func fixed(b []byte) func(testing.TB) []byte { return func(testing.TB) []byte { return b } }

func badCases() []badCase {
	return []badCase{
		{"empty", fixed(nil), ErrTruncated},
		{"not a record", fixed([]byte("hello, world")), ErrUnsupported},
		{"FAC prefix only", fixed([]byte("FA")), ErrTruncated},
		{"oversized input", fixed(make([]byte, MaxInputLen+1)), ErrTooLarge},
		{"indefinite length", fixed([]byte{0x75, 0x80, 0, 0}), ErrUnsupported},
		{"4-byte length", fixed([]byte{0x75, 0x84, 0, 0, 0, 1, 0}), ErrTooLarge},
		{"length past the end", fixed([]byte{0x75, 0x82, 0xFF, 0xFF, 0x7F}), ErrTruncated},
		{"5-byte tag", fixed(enc(0x75, []byte{0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0})), ErrMalformed},
		{"19794 version 030", mutate(func(b []byte) []byte { copy(b[4:], "030"); return b }), ErrUnsupported},
		{"19794 trailing byte", mutate(func(b []byte) []byte { return append(b, 0) }), ErrMalformed},
		{"19794 no faces", mutate(func(b []byte) []byte { b[12], b[13] = 0, 0; return b }), ErrNoFace},
		{"19794 too many faces", mutate(func(b []byte) []byte { b[13] = MaxFaces + 1; return b }), ErrTooLarge},
		{"19794 block length past the end", mutate(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[14:], 0xFFFFFFFF)
			return b
		}), ErrTruncated},
		{"19794 feature points overrun", mutate(func(b []byte) []byte { b[18], b[19] = 0xFF, 0xFF; return b }), ErrTruncated},
		{"19794 image not JPEG", mutate(func(b []byte) []byte { b[46] = 0; return b }), ErrImage},
		{"19794 JPEG without frame header", mutate(func(b []byte) []byte {
			return fixLen(append(b[:48], 0xFF, 0xD9))
		}), ErrImage},
		{"DG2 count mismatch", func(tb testing.TB) []byte {
			b := wrapDG2(0x5F2E, rec19794(tb))
			b[bytes.Index(b, []byte{0x02, 0x01, 0x01})+2] = 2
			return b
		}, ErrMalformed},
		{"DG2 trailing byte", func(tb testing.TB) []byte { return append(wrapDG2(0x5F2E, rec19794(tb)), 0) }, ErrMalformed},
		{"DG2 without data block", fixed(enc(0x75, enc(0x7F61, enc(0x02, []byte{1}),
			enc(0x7F60, enc(0xA1, enc(0x80, []byte{1})))))), ErrUnsupported},
		{"DG2 without header", fixed(enc(0x75, enc(0x7F61, enc(0x02, []byte{1}),
			enc(0x7F60, enc(0x5F2E, []byte("FAC\x00")))))), ErrMalformed},
		{"DG2 no templates", fixed(enc(0x75, enc(0x7F61, enc(0x02, []byte{0})))), ErrNoFace},
		{"39794 extension representation", fixed(enc(0x65, enc(0xA0, enc(0x80, []byte{3})),
			enc(0xA1, enc(0x30, enc(0x80, []byte{0}), enc(0xA1, enc(0xA1)))))), ErrUnsupported},
		{"39794 no representations", fixed(enc(0x65, enc(0xA0, enc(0x80, []byte{3})))), ErrNoFace},
		{"39794 negative width", fixed(block39794([]byte{0xFF, 0xD8, 0xFF}, 2,
			enc(0xA7, enc(0x80, []byte{0x80})))), ErrMalformed},
		{"J2K codestream with offsets past the grid",
			fixed(block39794(append(bytes.Clone(j2kCodestart), make([]byte, 40)...), 3)), ErrImage},
		{"JP2 without ihdr", fixed(block39794(bytes.Clone(jp2Signature), 3)), ErrImage},
	}
}

// block39794 builds a minimal 39794-5 face image data block around img.
func block39794(img []byte, format byte, info ...[]byte) []byte {
	infoBlock := enc(0xA1, append([][]byte{enc(0xA0, enc(0x80, []byte{format}))}, info...)...)
	twoD := enc(0xA0, enc(0x80, img), infoBlock)
	rep := enc(0x30, enc(0x80, []byte{0}), enc(0xA1, enc(0xA0, twoD)))
	return enc(0x65, enc(0xA0, enc(0x80, []byte{3})), enc(0xA1, rep))
}

// fixLen rewrites the 19794 record and block lengths after a change in size.
func fixLen(b []byte) []byte {
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[14:], uint32(len(b)-14))
	return b
}

func TestRejects(t *testing.T) {
	for _, c := range badCases() {
		t.Run(c.name, func(t *testing.T) {
			fs, err := Faces(c.input(t))
			if err == nil {
				t.Fatalf("accepted: %d faces", len(fs))
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
		})
	}
}
