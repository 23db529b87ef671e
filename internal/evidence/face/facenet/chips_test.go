package facenet

import (
	"flag"
	"image"
	"image/draw"
	_ "image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The parity chips are fixed PNGs in testdata/chips, derived once from
// ../shared/testdata/faces so that this package never depends on face
// detection. Both Go and Node read the same pixels. -update rewrites them.
var update = flag.Bool("update", false, "regenerate testdata/chips from ../shared/testdata/faces")

const facesDir = "../../../../../shared/testdata/faces"

// chipSource is a square region of a source image that is resampled to a
// 150x150 chip.
type chipSource struct {
	chip    string // file name in testdata/chips
	src     string // path under facesDir
	x, y, s int    // top-left corner and side of the square region
}

// chipSources lists every parity chip. The people's images are already tight
// 150x150 greyscale faces (their region is the whole image); the group photo
// gives colour chips, so a channel-order mistake cannot hide behind grey
// pixels.
var chipSources = func() []chipSource {
	var cs []chipSource
	for _, who := range []string{"amy", "howard", "penny", "sheldon"} {
		for i := 1; i <= 5; i++ {
			name := who + string(rune('0'+i)) + ".png"
			cs = append(cs, chipSource{chip: who + "_" + name[len(who):], src: who + "/" + name, s: 150})
		}
	}
	return append(cs,
		chipSource{"group_amy.png", "group_bbt4.jpg", 57, 20, 110},
		chipSource{"group_raj.png", "group_bbt4.jpg", 222, 50, 110},
		chipSource{"group_bernadette.png", "group_bbt4.jpg", 560, 55, 110},
		chipSource{"group_leonard.png", "group_bbt4.jpg", 40, 245, 120},
		chipSource{"group_penny.png", "group_bbt4.jpg", 242, 215, 110},
		chipSource{"group_sheldon.png", "group_bbt4.jpg", 455, 165, 115},
	)
}()

// resample maps the square (x, y, s) of src to a 150x150 RGBA chip with
// bilinear interpolation on pixel centres (edge pixels clamped), rounding to
// the nearest 8-bit value. When s is 150 it copies the pixels exactly.
func resample(src image.Image, x0, y0, s int) *image.RGBA {
	b := src.Bounds()
	rgba := image.NewRGBA(b)
	draw.Draw(rgba, b, src, b.Min, draw.Src)
	at := func(x, y, c int) float64 {
		x = min(max(x, b.Min.X), b.Max.X-1)
		y = min(max(y, b.Min.Y), b.Max.Y-1)
		return float64(rgba.Pix[rgba.PixOffset(x, y)+c])
	}
	out := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	scale := float64(s) / ChipSize
	for oy := range ChipSize {
		sy := float64(y0) + (float64(oy)+0.5)*scale - 0.5
		iy := int(math.Floor(sy))
		fy := sy - float64(iy)
		for ox := range ChipSize {
			sx := float64(x0) + (float64(ox)+0.5)*scale - 0.5
			ix := int(math.Floor(sx))
			fx := sx - float64(ix)
			for c := range 3 {
				top := at(ix, iy, c)*(1-fx) + at(ix+1, iy, c)*fx
				bot := at(ix, iy+1, c)*(1-fx) + at(ix+1, iy+1, c)*fx
				out.Pix[out.PixOffset(ox, oy)+c] = uint8(math.Round(top*(1-fy) + bot*fy))
			}
			out.Pix[out.PixOffset(ox, oy)+3] = 255
		}
	}
	return out
}

func readImage(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// readChip decodes a committed chip into the *image.RGBA Descriptor takes.
func readChip(t testing.TB, name string) *image.RGBA {
	t.Helper()
	img := readImage(t, filepath.Join("testdata", "chips", name))
	rgba := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	return rgba
}

// TestChips checks that the committed chips are what the resampler makes of
// the shared test faces (or rewrites them with -update), so the chip set
// cannot drift from its documented origin.
func TestChips(t *testing.T) {
	if _, err := os.Stat(facesDir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared test faces missing at %s: %v", facesDir, err)
		}
		t.Skipf("shared test faces missing at %s: %v", facesDir, err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Join("testdata", "chips"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, cs := range chipSources {
		want := resample(readImage(t, filepath.Join(facesDir, cs.src)), cs.x, cs.y, cs.s)
		path := filepath.Join("testdata", "chips", cs.chip)
		if *update {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, opaqueRGB{want}); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got := readChip(t, cs.chip); !slices.Equal(got.Pix, want.Pix) {
			t.Errorf("%s differs from its source %s; run go test -run TestChips -update", cs.chip, cs.src)
		}
	}
}

// opaqueRGB makes png.Encode write 8-bit RGB without an alpha channel, so
// that no decoder on the Node side has to think about alpha.
type opaqueRGB struct{ *image.RGBA }

func (o opaqueRGB) Opaque() bool { return true }
