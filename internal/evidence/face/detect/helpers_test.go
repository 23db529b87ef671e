package detect

import (
	"image"
	"image/color"
	_ "image/jpeg" // the group photo
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// facesDir is shared/testdata/faces, next to the repository (see the
// repository's test-data rules).
const facesDir = "../../../../../shared/testdata/faces"

const groupPhoto = "group_bbt4.jpg"

// singles lists the one-person test photos, relative to facesDir.
func singles(tb testing.TB) []string {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(facesDir, "*", "*.png"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no test faces under %s (%v): the shared test data must sit next to the repository", facesDir, err)
	}
	for i, n := range names {
		names[i], _ = filepath.Rel(facesDir, n)
	}
	sort.Strings(names)
	return names
}

// load decodes a test photo through DecodeLimited, as production code would.
func load(tb testing.TB, name string) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join(facesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := DecodeLimited(f, 1<<20, 1<<20)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return img
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(facesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// detectOne runs Detect with default options and wants exactly one face.
func detectOne(tb testing.TB, img image.Image) Face {
	tb.Helper()
	faces, err := Detect(img, Options{})
	if err != nil {
		tb.Fatalf("Detect: %v", err)
	}
	if len(faces) != 1 {
		tb.Fatalf("Detect: %d faces, want 1", len(faces))
	}
	return faces[0]
}

// The transforms below are written independently of the package's own
// resampling, nearest-neighbour and obvious, so that a bug there cannot hide
// itself in the tests.

// rotate turns img clockwise on screen by deg about its centre, on a canvas
// grown so that no corner is cut; the new area is mid-grey. Sampling is
// bilinear, as a camera's own rotation would be smooth.
func rotate(img image.Image, deg float64) *image.RGBA {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	a := deg * math.Pi / 180
	s, c := math.Sincos(a)
	nw := int(math.Ceil(math.Abs(w*c) + math.Abs(h*s)))
	nh := int(math.Ceil(math.Abs(w*s) + math.Abs(h*c)))
	out := image.NewRGBA(image.Rect(0, 0, nw, nh))
	get := func(x, y int) [3]float64 {
		if x < 0 || y < 0 || x >= b.Dx() || y >= b.Dy() {
			return [3]float64{128, 128, 128}
		}
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		return [3]float64{float64(r >> 8), float64(g >> 8), float64(bl >> 8)}
	}
	for y := 0; y < nh; y++ {
		for x := 0; x < nw; x++ {
			// Inverse rotation of the output pixel centre, into source
			// pixel-centre coordinates.
			dx, dy := float64(x)+0.5-float64(nw)/2, float64(y)+0.5-float64(nh)/2
			sx := c*dx + s*dy + w/2 - 0.5
			sy := -s*dx + c*dy + h/2 - 0.5
			ix, iy := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(ix), sy-float64(iy)
			p00, p10, p01, p11 := get(ix, iy), get(ix+1, iy), get(ix, iy+1), get(ix+1, iy+1)
			var px [3]uint8
			for i := range px {
				v := (p00[i]*(1-fx)+p10[i]*fx)*(1-fy) + (p01[i]*(1-fx)+p11[i]*fx)*fy
				px[i] = uint8(math.Round(v))
			}
			out.Set(x, y, color.RGBA{px[0], px[1], px[2], 255})
		}
	}
	return out
}

// mirror flips img left to right.
func mirror(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(b.Dx()-1-x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// downscale shrinks img by an integer factor, averaging k x k blocks.
func downscale(img image.Image, k int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()/k, b.Dy()/k))
	for y := 0; y < b.Dy()/k; y++ {
		for x := 0; x < b.Dx()/k; x++ {
			var sum uint32
			for j := 0; j < k; j++ {
				for i := 0; i < k; i++ {
					sum += uint32(color.GrayModel.Convert(img.At(b.Min.X+x*k+i, b.Min.Y+y*k+j)).(color.Gray).Y)
				}
			}
			out.SetGray(x, y, color.Gray{uint8(sum / uint32(k*k))})
		}
	}
	return out
}

// place puts img on a bigger mid-grey canvas at (x, y), so a test photo can
// stand in for a webcam frame.
func place(img image.Image, w, h, x, y int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range out.Pix {
		out.Pix[i] = 128
		if i%4 == 3 {
			out.Pix[i] = 255
		}
	}
	b := img.Bounds()
	for j := 0; j < b.Dy(); j++ {
		for i := 0; i < b.Dx(); i++ {
			out.Set(x+i, y+j, img.At(b.Min.X+i, b.Min.Y+j))
		}
	}
	return out
}

func (p Point) add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

func (p Point) in(r image.Rectangle) bool {
	return p.X >= float64(r.Min.X) && p.X < float64(r.Max.X) && p.Y >= float64(r.Min.Y) && p.Y < float64(r.Max.Y)
}
