package dg2

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needOpj fails under CI (which installs libopenjp2-tools) and skips
// elsewhere when an OpenJPEG tool is missing.
func needOpj(tb testing.TB, tool string) {
	tb.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is required in CI (apt-get install libopenjp2-tools; scripts/install-document-deps.sh): %v", tool, err)
		}
		tb.Skipf("%s not installed (apt-get install libopenjp2-tools): %v", tool, err)
	}
}

// meanAbsDiff is the mean absolute difference of two same-sized images over
// their R, G and B channels, on a 0-255 scale.
func meanAbsDiff(tb testing.TB, a, b image.Image) float64 {
	tb.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		tb.Fatalf("sizes %v and %v", a.Bounds().Size(), b.Bounds().Size())
	}
	var sum, n float64
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			ca := color.RGBAModel.Convert(a.At(ab.Min.X+x, ab.Min.Y+y)).(color.RGBA)
			cb := color.RGBAModel.Convert(b.At(bb.Min.X+x, bb.Min.Y+y)).(color.RGBA)
			for _, d := range []int{int(ca.R) - int(cb.R), int(ca.G) - int(cb.G), int(ca.B) - int(cb.B)} {
				sum += float64(max(d, -d))
			}
			n += 3
		}
	}
	return sum / n
}

// emptyDir fails unless dir holds nothing: decoding must clean up.
func emptyDir(tb testing.TB, dir string) {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 0 {
		tb.Fatalf("work directory left behind: %v %v", ents, err)
	}
}

func TestDecodeJPEG(t *testing.T) {
	f, err := Parse(rec19794(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeImage(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := jpeg.Decode(bytes.NewReader(jpg19794(t)))
	if err != nil {
		t.Fatal(err)
	}
	if d := meanAbsDiff(t, got, want); d != 0 {
		t.Fatalf("mean abs diff %.3f, want 0 (same JPEG bytes)", d)
	}
}

// TestDecodeJPEG2000Sample decodes the 39794-5 sample's face. The file
// beside it named .jpg is in fact the same JP2 (see samples), so it checks
// the route from DG2 to pixels rather than the codec; the codec is checked
// against known pixels in TestDecodeJPEG2000RoundTrip.
func TestDecodeJPEG2000Sample(t *testing.T) {
	needOpj(t, "opj_decompress")
	f, err := Parse(dg39794(t))
	if err != nil {
		t.Fatal(err)
	}
	d := &Decoder{TempDir: t.TempDir()}
	got, err := d.Decode(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	emptyDir(t, d.TempDir)
	if s := got.Bounds().Size(); s.X != f.Width || s.Y != f.Height || s.X != 413 || s.Y != 531 {
		t.Fatalf("decoded %v, header %dx%d", s, f.Width, f.Height)
	}
	beside, err := d.Decode(context.Background(), &Face{Image: img39794(t)})
	if err != nil {
		t.Fatal(err)
	}
	diff := meanAbsDiff(t, got, beside)
	t.Logf("mean abs diff against the file beside it: %.3f", diff)
	if diff > 1 {
		t.Fatalf("mean abs diff %.3f", diff)
	}
	// The bare codestream (jp2c box) goes the .j2k route: same pixels.
	cs, err := jp2Box(f.Image, "jp2c")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := d.Decode(context.Background(), &Face{Image: cs})
	if err != nil {
		t.Fatal(err)
	}
	if diff := meanAbsDiff(t, got, raw); diff != 0 {
		t.Fatalf("J2K route differs from JP2 route by %.3f", diff)
	}
	// A portrait on a plain light background: the top corners are bright
	// and flat, the centre (the face) is darker. A decoder returning noise,
	// a blank or a shifted image fails this.
	corner := meanLuma(got, image.Rect(0, 0, 40, 40))
	centre := meanLuma(got, image.Rect(150, 200, 260, 330))
	t.Logf("corner luma %.1f, centre luma %.1f", corner, centre)
	if corner < 200 || centre > corner-40 {
		t.Fatalf("corner luma %.1f, centre luma %.1f: not a face on a light background", corner, centre)
	}
}

func meanLuma(img image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}

func TestDecodeJPEG2000BSI2008(t *testing.T) {
	needOpj(t, "opj_decompress")
	f, err := Parse(readSample(t, bsi2008, "Datagroup2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := DecodeImage(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X != 413 || s.Y != 531 {
		t.Fatalf("decoded %v", s)
	}
}

// testPattern is an RGB image with gradients and hard edges, so both a
// shifted and a colour-swapped decode show.
func testPattern(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xFF), 255}
			if x > w/3 && x < w/2 && y > h/4 && y < h/2 {
				c = color.RGBA{250, 20, 20, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// compress writes src as PNG and runs opj_compress on it with args.
func compress(t *testing.T, src image.Image, out string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "src.png")
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, out)
	cmd := exec.Command("opj_compress", append([]string{"-i", in, "-o", dst}, args...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("opj_compress: %v\n%s", err, msg)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeJPEG2000RoundTrip encodes known pixels with opj_compress and
// decodes them back: lossless must return them exactly, lossy closely.
func TestDecodeJPEG2000RoundTrip(t *testing.T) {
	needOpj(t, "opj_compress")
	needOpj(t, "opj_decompress")
	src := testPattern(97, 61) // odd sizes catch off-by-one crops
	gray := image.NewGray(src.Bounds())
	for y := range 61 {
		for x := range 97 {
			gray.Set(x, y, src.At(x, y))
		}
	}
	alpha := image.NewNRGBA(src.Bounds())
	for y := range 61 {
		for x := range 97 {
			c := src.RGBAAt(x, y)
			alpha.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, uint8(255 - x)})
		}
	}
	for _, c := range []struct {
		name    string
		src     image.Image
		out     string
		args    []string
		maxDiff float64
	}{
		{"JP2 lossless", src, "a.jp2", nil, 0},
		{"J2K lossless", src, "a.j2k", nil, 0},
		{"JP2 grey lossless", gray, "g.jp2", nil, 0},
		{"JP2 RGBA lossless", alpha, "a.jp2", nil, 0},
		{"JP2 lossy 1:20", src, "l.jp2", []string{"-r", "20"}, 6},
		{"JP2 tiled 32x32", src, "t.jp2", []string{"-t", "32,32"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := compress(t, c.src, c.out, c.args...)
			f := &Face{Image: b}
			if err := f.setImage(b); err != nil {
				t.Fatalf("opj_compress output not recognised: %v", err)
			}
			d := &Decoder{TempDir: t.TempDir()}
			got, err := d.Decode(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			emptyDir(t, d.TempDir)
			diff := meanAbsDiff(t, got, c.src)
			t.Logf("mean abs diff %.3f", diff)
			if diff > c.maxDiff {
				t.Fatalf("mean abs diff %.3f, want at most %.3f", diff, c.maxDiff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	ctx := context.Background()
	jp2 := func(tb testing.TB) []byte { return img39794(tb) }
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, c := range []struct {
		name    string
		d       *Decoder
		ctx     context.Context
		img     func(testing.TB) []byte
		want    error
		needOpj bool
	}{
		{"decoder missing", &Decoder{OpjDecompress: "/nonexistent/opj_decompress"}, ctx, jp2, ErrDecoderMissing, false},
		{"over the pixel limit", &Decoder{MaxPixels: 400 * 500}, ctx, jp2, ErrDecode, false},
		{"JPEG over the pixel limit", &Decoder{MaxPixels: 100}, ctx, jpg19794, ErrDecode, false},
		{"not an image", &Decoder{}, ctx, fixed([]byte("GIF89a")), ErrDecode, false},
		{"empty", &Decoder{}, ctx, fixed(nil), ErrDecode, false},
		{"JP2 without codestream box", &Decoder{}, ctx, func(tb testing.TB) []byte {
			b := img39794(tb)
			i := bytes.Index(b, []byte("jp2c"))
			return b[:i-4]
		}, ErrDecode, false},
		{"damaged JPEG", &Decoder{}, ctx, func(tb testing.TB) []byte { return jpg19794(tb)[:600] }, ErrDecode, false},
		{"cancelled", &Decoder{}, cancelled, jp2, ErrDecode, true},
		{"truncated codestream", &Decoder{}, ctx, func(tb testing.TB) []byte {
			b := img39794(tb)
			return b[:len(b)/2]
		}, ErrDecode, true},
		{"marker after SIZ destroyed", &Decoder{}, ctx, func(tb testing.TB) []byte {
			// Main header damage is caught; damage inside the entropy-coded
			// tile data may decode to wrong pixels without an error, as in
			// any JPEG: DG2's hash in the SOD is what guards the bytes.
			b := img39794(tb)
			i := bytes.Index(b, j2kCodestart)
			next := i + 4 + int(b[i+4])<<8 + int(b[i+5])
			b[next], b[next+1] = 0, 0
			return b
		}, ErrDecode, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.needOpj {
				needOpj(t, "opj_decompress")
			}
			c.d.TempDir = t.TempDir()
			img, err := c.d.Decode(c.ctx, &Face{Image: c.img(t)})
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v (image %v), want %v", err, img != nil, c.want)
			}
			if img != nil {
				t.Fatal("image returned with an error")
			}
			if errors.Is(err, ErrDecoderMissing) && !strings.Contains(err.Error(), "install libopenjp2-tools") {
				t.Fatalf("error does not say what to install: %v", err)
			}
			emptyDir(t, c.d.TempDir)
		})
	}
}

func BenchmarkDecodeJPEG2000(b *testing.B) {
	needOpj(b, "opj_decompress")
	f, err := Parse(dg39794(b))
	if err != nil {
		b.Fatal(err)
	}
	d := &Decoder{}
	for b.Loop() {
		if _, err := d.Decode(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzDecodeInProcess runs everything Decode does before the external tool:
// JPEG decoding, the JP2 box walk and the SIZ checks. The tool path points
// nowhere, so JPEG 2000 inputs that pass the checks end in ErrDecoderMissing.
func FuzzDecodeInProcess(f *testing.F) {
	f.Add(jpg19794(f))
	f.Add(img39794(f))
	f.Add(sizSegment(413, 531, 413, 531, 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := &Decoder{OpjDecompress: "/nonexistent/opj_decompress", MaxPixels: 1 << 20}
		img, err := d.Decode(context.Background(), &Face{Image: b})
		if err != nil {
			if img != nil || (!errors.Is(err, ErrDecode) && !errors.Is(err, ErrDecoderMissing)) {
				t.Fatalf("%v with image %v", err, img != nil)
			}
			return
		}
		if s := img.Bounds().Size(); s.X*s.Y > 1<<20 || s.X <= 0 || s.Y <= 0 {
			t.Fatalf("decoded %v", s)
		}
	})
}
