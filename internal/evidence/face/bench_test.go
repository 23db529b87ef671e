package face

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"os"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
)

// frame640 is a 640x480 JPEG camera frame with one test face (scaled to
// 200 px) on a grey background.
func frame640(b *testing.B) []byte {
	raw, err := os.ReadFile(facesDir + "/amy/amy2.png")
	if err != nil {
		b.Fatal(err)
	}
	im, err := detect.DecodeLimited(bytes.NewReader(raw), 1<<20, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	out := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(out, out.Bounds(), image.NewUniform(color.Gray{120}), image.Point{}, draw.Src)
	const side = 200
	x0, y0 := (640-side)/2, (480-side)/2
	sb := im.Bounds()
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			out.Set(x0+x, y0+y, im.At(sb.Min.X+x*sb.Dx()/side, sb.Min.Y+y*sb.Dy()/side))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDescribe640 is the per-image benchmark: decode,
// detection with landmarks, alignment and the descriptor for one 640x480
// camera frame; the sub-benchmarks split it.
func BenchmarkDescribe640(b *testing.B) {
	m := testMatcher(b)
	img := frame640(b)
	b.Run("all", func(b *testing.B) {
		for range b.N {
			if _, err := m.Describe(img); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+detect", func(b *testing.B) {
		for range b.N {
			if _, err := m.Locate(img); err != nil {
				b.Fatal(err)
			}
		}
	})
	l, err := m.Locate(img)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("align+descriptor", func(b *testing.B) {
		for range b.N {
			if _, err := m.DescribeLocated(l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
