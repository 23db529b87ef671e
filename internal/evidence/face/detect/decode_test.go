package detect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

// pngHeader returns a PNG signature and IHDR chunk declaring w x h 8-bit
// grey, and nothing else: enough for DecodeConfig, not for Decode.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth; colour type 0 (grey)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	crc := crc32.NewIEEE()
	io.WriteString(crc, "IHDR")
	crc.Write(ihdr)
	b.WriteString("IHDR")
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

func encode(tb testing.TB, enc func(io.Writer, image.Image) error, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// decodeCases are shared with the fuzzer as seeds.
func decodeCases(tb testing.TB) []struct {
	name      string
	in        []byte
	maxBytes  int64
	maxPixels int
	want      Reason // "" for success
} {
	face := readFile(tb, "penny/penny1.png")
	small := image.NewGray(image.Rect(0, 0, 40, 30))
	jpg := encode(tb, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }, small)
	gifData := encode(tb, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) }, small)
	return []struct {
		name      string
		in        []byte
		maxBytes  int64
		maxPixels int
		want      Reason
	}{
		{"png face", face, 1 << 20, 1 << 20, ""},
		{"group jpeg", readFile(tb, groupPhoto), 1 << 20, 1 << 20, ""},
		{"small jpeg", jpg, 1 << 20, 1 << 20, ""},
		{"exactly at the byte limit", face, int64(len(face)), 1 << 20, ""},
		{"exactly at the pixel limit", face, 1 << 20, 150 * 150, ""},
		{"one byte over", face, int64(len(face)) - 1, 1 << 20, ReasonTooLarge},
		{"one pixel over", face, 1 << 20, 150*150 - 1, ReasonTooLarge},
		{"huge declared size, tiny file", pngHeader(100000, 100000), 1 << 20, 1 << 24, ReasonTooLarge},
		// image/png itself refuses sizes whose byte count overflows.
		{"overflowing declared size", pngHeader(1<<31-1, 1<<31-1), 1 << 20, 1 << 24, ReasonMalformed},
		{"header only", pngHeader(10, 10), 1 << 20, 1 << 20, ReasonMalformed},
		{"zero width", pngHeader(0, 10), 1 << 20, 1 << 20, ReasonMalformed},
		{"truncated png", face[:len(face)/2], 1 << 20, 1 << 20, ReasonMalformed},
		{"truncated jpeg", jpg[:len(jpg)/2], 1 << 20, 1 << 20, ReasonMalformed},
		{"gif", gifData, 1 << 20, 1 << 20, ReasonMalformed},
		{"text", []byte("hello, world"), 1 << 20, 1 << 20, ReasonMalformed},
		{"empty", nil, 1 << 20, 1 << 20, ReasonMalformed},
		{"jpeg magic only", []byte{0xff, 0xd8}, 1 << 20, 1 << 20, ReasonMalformed},
		{"no byte limit", face, 0, 1 << 20, ReasonTooLarge},
		{"no pixel limit", face, 1 << 20, 0, ReasonTooLarge},
	}
}

func TestDecodeLimited(t *testing.T) {
	for _, c := range decodeCases(t) {
		t.Run(c.name, func(t *testing.T) {
			img, err := DecodeLimited(bytes.NewReader(c.in), c.maxBytes, c.maxPixels)
			if got := ReasonOf(err); got != c.want {
				t.Fatalf("reason %q (%v), want %q", got, err, c.want)
			}
			if c.want == "" && (img == nil || img.Bounds().Empty()) {
				t.Fatalf("no image")
			}
			if c.want != "" && img != nil {
				t.Fatalf("image returned beside an error")
			}
		})
	}
}

// TestDecodeLimitedStopsReading: the byte limit bounds what is read, so an
// endless stream is refused rather than buffered.
func TestDecodeLimitedStopsReading(t *testing.T) {
	r := &countingReader{}
	_, err := DecodeLimited(r, 1000, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v", err)
	}
	if r.n > 1001+4096 {
		t.Fatalf("read %d bytes for a 1000-byte limit", r.n)
	}
}

type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	r.n += len(p)
	return len(p), nil
}

// TestDecodeLimitedFailingReader: a read error is image-malformed and its
// text (which could hold anything) stays out of the error.
func TestDecodeLimitedFailingReader(t *testing.T) {
	_, err := DecodeLimited(io.MultiReader(bytes.NewReader([]byte{0xff}), errReader{}), 100, 100)
	if ReasonOf(err) != ReasonMalformed || bytes.Contains([]byte(err.Error()), []byte("secret")) {
		t.Fatalf("err %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("secret path /home/x") }

// Guard against the decoders registered elsewhere: a PNG encoder's output
// decodes to the same pixels.
func TestDecodeLimitedRoundTrip(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(src.Pix, []byte{1, 2, 3, 4, 5, 6})
	img, err := DecodeLimited(bytes.NewReader(encode(t, png.Encode, src)), 1<<10, 6)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := img.(*image.Gray); !ok || !bytes.Equal(g.Pix, src.Pix) {
		t.Fatalf("round trip: %T %v", img, img)
	}
}
