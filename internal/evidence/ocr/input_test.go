package ocr

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

// pngHeader is a PNG signature and IHDR chunk claiming w x h, with no data:
// a decompression bomb is refused from this alone.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit gray
	var b bytes.Buffer
	b.Write(pngMagic)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func grayPNG(t testing.TB, w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	return encodePNGImage(t, img)
}

// badInputs are uploads that must be refused with a user error before the
// engine runs; they also seed the fuzz target.
func badInputs(t testing.TB) []struct {
	name string
	data []byte
	want *Error
} {
	valid := grayPNG(t, 400, 300)
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 400, 300), color.Palette{color.White, color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	jpg := encodeJPEG(t, image.NewGray(image.Rect(0, 0, 400, 300)), 80)
	return []struct {
		name string
		data []byte
		want *Error
	}{
		{"empty", nil, ErrNotImage},
		{"text", []byte("this is not an image"), ErrNotImage},
		{"gif", gifBuf.Bytes(), ErrNotImage},
		{"png bomb header", pngHeader(60000, 60000), ErrTooLarge},
		{"png 45 MP", pngHeader(9000, 5000), ErrTooLarge},
		{"png zero size", pngHeader(0, 10), ErrDamaged},
		{"png header only", pngHeader(400, 300), ErrDamaged},
		{"png truncated", valid[:len(valid)/2], ErrDamaged},
		{"png signature only", pngMagic, ErrDamaged},
		{"jpeg truncated", jpg[:len(jpg)/2], ErrDamaged},
		{"jpeg magic only", jpegMagic, ErrDamaged},
		{"png too small", grayPNG(t, 60, 40), ErrTooSmall},
		{"oversized bytes", append(append([]byte{}, valid...), make([]byte, DefaultMaxBytes)...), ErrTooLarge},
	}
}

func TestBadInput(t *testing.T) {
	r := &Reader{Binary: "/nonexistent/tesseract"} // never reached
	for _, c := range badInputs(t) {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.ReadMRZ(context.Background(), c.data)
			var e *Error
			if !errors.Is(err, c.want) || !errors.As(err, &e) || !e.User {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err.Error() != c.want.Message {
				t.Errorf("message %q carries detail, want %q", err, c.want.Message)
			}
		})
	}
}

func TestMaxBytesOption(t *testing.T) {
	r := &Reader{Binary: "/nonexistent/tesseract", MaxBytes: 100}
	if _, err := r.ReadMRZ(context.Background(), grayPNG(t, 400, 300)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

// FuzzPrepare runs decoding and band finding (never the engine) on
// arbitrary bytes: it must return an *Error or an image, never panic.
func FuzzPrepare(f *testing.F) {
	for _, c := range badInputs(f) {
		if len(c.data) < 1<<16 {
			f.Add(c.data)
		}
	}
	for _, d := range []doc{td1Doc(3), td3Doc(2)} {
		img, _ := render(f, d)
		f.Add(encodePNGImage(f, img))
		f.Add(encodeJPEG(f, img, 50))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, _, err := prepare(data, 1<<20, 2_000_000)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if g.Rect.Dx() > maxOutWidth+2*padding || g.Rect.Dy() > maxOutHeight+2*padding {
			t.Fatalf("output %v over bounds", g.Rect)
		}
	})
}

// TestToGrayFastPaths checks each fast path against the generic one.
func TestToGrayFastPaths(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 7, 5))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 37)
	}
	want := image.NewGray(src.Rect)
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			r, g, b, a := src.At(x, y).RGBA()
			want.Pix[y*want.Stride+x] = uint8(luma((r+0xffff-a)>>8, (g+0xffff-a)>>8, (b+0xffff-a)>>8))
		}
	}
	rgba := image.NewRGBA(src.Rect)
	gray := image.NewGray(src.Rect)
	for y := 0; y < 5; y++ {
		for x := 0; x < 7; x++ {
			rgba.Set(x, y, src.At(x, y))
			gray.Set(x, y, want.At(x, y))
		}
	}
	for name, img := range map[string]image.Image{"nrgba": src, "rgba": rgba, "gray": gray} {
		got := toGray(img)
		for i := range got.Pix {
			if d := int(got.Pix[i]) - int(want.Pix[i]); d < -1 || d > 1 {
				t.Fatalf("%s: pixel %d = %d, want %d", name, i, got.Pix[i], want.Pix[i])
			}
		}
	}
}
