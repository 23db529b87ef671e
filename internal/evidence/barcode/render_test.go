package barcode

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/pdf417"
)

// needTool finds a Debian zxing-cpp-tools program. Without it the test fails under CI (env CI set)
// and is skipped, with the reason, elsewhere.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not found: install zxing-cpp-tools (Debian), see scripts/install-document-deps.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// renderGo draws payload as PDF417 with boombuler/barcode, an encoder independent of zxing-cpp:
// each module scale pixels wide and its rows stretched from the encoder's two module heights to
// four (ISO/IEC 15438 asks for at least three; ZXingReader misses most symbols at two), on white with
// a quiet zone of four modules.
func renderGo(t testing.TB, payload []byte, scale int) image.Image {
	t.Helper()
	bc := goSymbol(t, payload)
	b := bc.Bounds()
	q := 4 * scale
	img := image.NewGray(image.Rect(0, 0, b.Dx()*scale+2*q, 2*b.Dy()*scale+2*q))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := color.GrayModel.Convert(bc.At(x, y)).(color.Gray); c.Y < 0x80 {
				for dy := range 2 * scale {
					for dx := range scale {
						img.SetGray(q+(x-b.Min.X)*scale+dx, q+2*(y-b.Min.Y)*scale+dy, color.Gray{})
					}
				}
			}
		}
	}
	return img
}

// goSymbol encodes payload with boombuler/barcode v1.1.0 at the lowest error correction level from 2
// up whose symbol has a multiple of three rows. Its left row indicator for cluster 0 is computed as
// (rows-3)/3 where ISO/IEC 15438 says (rows-1)/3; the two agree only when rows is a multiple of
// three. Other symbols contradict themselves: ZXingReader finds none, or, seen with 250 "A"s in 23
// rows, returns 214 "A"s without any error.
func goSymbol(t testing.TB, payload []byte) barcode.Barcode {
	t.Helper()
	for level := byte(2); level <= 8; level++ {
		bc, err := pdf417.Encode(string(payload), level)
		if err != nil {
			t.Fatalf("pdf417.Encode: %v", err)
		}
		if rows := bc.Bounds().Dy() / 2; rows%3 == 0 { // two pixels per row
			return bc
		}
	}
	t.Fatalf("no error correction level gives a multiple of three rows for %d bytes", len(payload))
	return nil
}

// renderZXing draws payload with ZXingWriter. utf8 adds -encoding UTF8 (ECI 26); without it the
// writer converts its UTF-8 argument to ISO 8859-1.
func renderZXing(t testing.TB, payload []byte, utf8 bool) []byte {
	t.Helper()
	w := needTool(t, "ZXingWriter")
	out := filepath.Join(t.TempDir(), "w.png")
	args := []string{"-size", "1400x500", "-margin", "20"}
	if utf8 {
		args = append(args, "-encoding", "UTF8")
	}
	args = append(args, "PDF417", string(payload), out)
	if b, err := exec.Command(w, args...).CombinedOutput(); err != nil {
		t.Fatalf("ZXingWriter: %v: %s", err, b)
	}
	img, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// photo makes a clean rendering look like a hand-held snapshot: rotated by deg degrees and scaled
// by zoom about the centre (bilinear), on a grey background with uneven lighting and seeded noise.
func photo(src image.Image, deg, zoom float64, noise int, seed uint64) *image.Gray {
	sb := src.Bounds()
	w, h := int(float64(sb.Dx())*zoom*1.3), int(float64(sb.Dy())*zoom*1.3)+int(float64(sb.Dx())*zoom*math.Abs(math.Sin(deg*math.Pi/180)))
	dst := image.NewGray(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(sb.Dx())/2, float64(sb.Dy())/2
	rng := rand.New(rand.NewPCG(seed, 1))
	at := func(x, y int) float64 {
		if x < sb.Min.X || y < sb.Min.Y || x >= sb.Max.X || y >= sb.Max.Y {
			return 200
		}
		return float64(color.GrayModel.Convert(src.At(x, y)).(color.Gray).Y)
	}
	for y := range h {
		for x := range w {
			// inverse map: destination pixel -> source point
			dx, dy := (float64(x)-float64(w)/2)/zoom, (float64(y)-float64(h)/2)/zoom
			sx, sy := cos*dx+sin*dy+cx, -sin*dx+cos*dy+cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
			v = v*(0.75+0.25*float64(x)/float64(w)) + float64(rng.IntN(2*noise+1)-noise) // lighting, noise
			dst.Pix[y*dst.Stride+x] = uint8(max(0, min(255, v)))
		}
	}
	return dst
}

func decode(t testing.TB, img []byte) ([]byte, time.Duration, error) {
	t.Helper()
	needTool(t, "ZXingReader")
	start := time.Now()
	b, err := DecodePDF417(context.Background(), img)
	return b, time.Since(start), err
}
