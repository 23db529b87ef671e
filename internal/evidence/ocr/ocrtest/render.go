// Package ocrtest renders synthetic identity documents (ICAO Doc 9303
// specimens or any MRZ) as images for tests of OCR and of the flows built on
// it. It is test support only: production code must never import it.
package ocrtest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/math/fixed"
)

// Fonts from Debian packages fonts-ocr-b (required) and fonts-dejavu-core
// (optional: the title and field labels are left out without it). The
// "Sharp" cut of OCR-B is used because the regular one draws '8' and '<'
// with the CFF flex1 operator, which x/image/font/sfnt does not support.
const (
	OCRBPath   = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
	DejaVuPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)

// alphabet is the MRZ alphabet (ocr.Alphabet, repeated here: ocr tests
// import this package).
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

// ICAO Doc 9303 specimens (see shared/testdata/README.md).
var (
	SpecTD3 = []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
	SpecTD1 = []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
	SpecTD2 = []string{
		"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
		"D231458907UTO7408122F1204159<<<<<<<6",
	}
)

// Doc describes a synthetic document: page size in mm, MRZ lines (none for
// a page without MRZ), resolution.
type Doc struct {
	Title        string
	WMM, HMM     float64
	MRZ          []string
	LinePitchMM  float64 // baseline to baseline
	BottomMM     float64 // last baseline above the bottom edge
	PxPerMM      float64
	WithoutTitle bool
}

// TD3 is the passport specimen at pxPerMM pixels per millimetre; TD1 and
// TD2 are the card specimens.
func TD3(pxPerMM float64) Doc {
	return Doc{Title: "PASSPORT  PASSEPORT  UTOPIA", WMM: 125, HMM: 88, MRZ: SpecTD3, LinePitchMM: 4.6, BottomMM: 4.5, PxPerMM: pxPerMM}
}
func TD1(pxPerMM float64) Doc {
	return Doc{Title: "IDENTITY CARD  UTOPIA", WMM: 85.6, HMM: 54, MRZ: SpecTD1, LinePitchMM: 4.2, BottomMM: 3.2, PxPerMM: pxPerMM}
}
func TD2(pxPerMM float64) Doc {
	return Doc{Title: "IDENTITY CARD  UTOPIA", WMM: 105, HMM: 74, MRZ: SpecTD2, LinePitchMM: 4.6, BottomMM: 4.2, PxPerMM: pxPerMM}
}

func loadFace(t testing.TB, path string, sizePx float64) font.Face {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := opentype.Parse(data)
	if err != nil {
		t.Fatalf("parse font %s: %v", path, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: sizePx, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatalf("face %s: %v", path, err)
	}
	return face
}

// NeedFonts fails in CI and skips elsewhere when the OCR-B font is missing.
func NeedFonts(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(OCRBPath); err != nil {
		msg := "OCR-B font missing: apt-get install -y fonts-ocr-b"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// Render draws the document: pale paper with faint wavy lines, a Title,
// a grey photo box, a few fields, and the MRZ in OCR-B at 10 characters
// per inch. It returns the image and the MRZ baselines' y in pixels.
func Render(t testing.TB, d Doc) (*image.RGBA, []int) {
	t.Helper()
	NeedFonts(t)
	mm := func(v float64) int { return int(math.Round(v * d.PxPerMM)) }
	img := image.NewRGBA(image.Rect(0, 0, mm(d.WMM), mm(d.HMM)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{236, 240, 230, 255}), image.Point{}, draw.Src)
	wave := color.RGBA{214, 224, 216, 255}
	for k := 0; k < 12; k++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			y := float64(k)*d.HMM/12*d.PxPerMM + 3*d.PxPerMM*math.Sin(float64(x)/(6*d.PxPerMM)+float64(k))
			img.Set(x, int(y), wave)
		}
	}
	ink := image.NewUniform(color.RGBA{25, 25, 35, 255})
	if !d.WithoutTitle {
		if face := loadFace(t, DejaVuPath, 4*d.PxPerMM); face != nil {
			(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(mm(5), mm(8))}).DrawString(d.Title)
		}
		if face := loadFace(t, DejaVuPath, 2.6*d.PxPerMM); face != nil {
			fields := []string{"Surname / Nom", "ERIKSSON", "Given names / Prenoms", "ANNA MARIA", "Date of birth  12 AUG 1974"}
			for i, s := range fields {
				(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(mm(0.36*d.WMM), mm(14+4.2*float64(i)))}).DrawString(s)
			}
		}
	}
	photo := image.Rect(mm(5), mm(11), mm(5+0.26*d.WMM), mm(11+0.32*d.WMM))
	draw.Draw(img, photo, image.NewUniform(color.RGBA{150, 152, 158, 255}), image.Point{}, draw.Src)
	if len(d.MRZ) == 0 {
		return img, nil
	}
	pitch := 2.54 * d.PxPerMM // 10 characters per inch
	probe := loadFace(t, OCRBPath, 100)
	adv, _ := probe.GlyphAdvance('<')
	face := loadFace(t, OCRBPath, 100*pitch/(float64(adv)/64))
	for _, r := range alphabet {
		if _, _, ok := face.GlyphBounds(r); !ok {
			t.Fatalf("OCR-B face cannot draw %q", r)
		}
	}
	left := (float64(img.Rect.Dx()) - pitch*float64(len(d.MRZ[0]))) / 2
	var baselines []int
	for i, line := range d.MRZ {
		y := mm(d.HMM - d.BottomMM - d.LinePitchMM*float64(len(d.MRZ)-1-i))
		baselines = append(baselines, y)
		(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(int(left), y)}).DrawString(line)
	}
	return img, baselines
}

// Rotate turns the page by deg about its centre onto a darker table, as a
// hand-held photo would.
func Rotate(src *image.RGBA, deg float64) *image.RGBA {
	m := 0.06
	w, h := float64(src.Rect.Dx()), float64(src.Rect.Dy())
	dst := image.NewRGBA(image.Rect(0, 0, int(w*(1+2*m)), int(h*(1+2*m))))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.RGBA{120, 110, 100, 255}), image.Point{}, draw.Src)
	a := deg * math.Pi / 180
	cx, cy := float64(dst.Rect.Dx())/2, float64(dst.Rect.Dy())/2
	c, s := math.Cos(a), math.Sin(a)
	// Source to destination: translate centre to origin, Rotate, move to dst centre.
	tr := f64.Aff3{c, -s, cx - c*w/2 + s*h/2, s, c, cy - s*w/2 - c*h/2}
	xdraw.BiLinear.Transform(dst, tr, src, src.Bounds(), xdraw.Over, nil)
	return dst
}

// AddNoise adds Gaussian noise of the given sigma to every channel.
func AddNoise(img *image.RGBA, sigma float64, seed uint64) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i, p := range img.Pix {
		if i%4 == 3 {
			out.Pix[i] = p
			continue
		}
		v := float64(p) + rng.NormFloat64()*sigma
		out.Pix[i] = uint8(max(0, min(255, math.Round(v))))
	}
	return out
}

func EncodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func EncodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
