package ocr

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
	ocrbPath   = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
	dejavuPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)

// ICAO Doc 9303 specimens (see shared/testdata/README.md).
var (
	specTD3 = []string{
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
	}
	specTD1 = []string{
		"I<UTOD231458907<<<<<<<<<<<<<<<",
		"7408122F1204159UTO<<<<<<<<<<<6",
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
	}
	specTD2 = []string{
		"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
		"D231458907UTO7408122F1204159<<<<<<<6",
	}
)

// doc describes a synthetic document: page size in mm, MRZ lines (none for
// a page without MRZ), resolution.
type doc struct {
	title        string
	wMM, hMM     float64
	mrz          []string
	linePitchMM  float64 // baseline to baseline
	bottomMM     float64 // last baseline above the bottom edge
	pxPerMM      float64
	withoutTitle bool
}

func td3Doc(pxPerMM float64) doc {
	return doc{title: "PASSPORT  PASSEPORT  UTOPIA", wMM: 125, hMM: 88, mrz: specTD3, linePitchMM: 4.6, bottomMM: 4.5, pxPerMM: pxPerMM}
}
func td1Doc(pxPerMM float64) doc {
	return doc{title: "IDENTITY CARD  UTOPIA", wMM: 85.6, hMM: 54, mrz: specTD1, linePitchMM: 4.2, bottomMM: 3.2, pxPerMM: pxPerMM}
}
func td2Doc(pxPerMM float64) doc {
	return doc{title: "IDENTITY CARD  UTOPIA", wMM: 105, hMM: 74, mrz: specTD2, linePitchMM: 4.6, bottomMM: 4.2, pxPerMM: pxPerMM}
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

// needFonts fails in CI and skips elsewhere when the OCR-B font is missing.
func needFonts(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(ocrbPath); err != nil {
		msg := "OCR-B font missing: apt-get install -y fonts-ocr-b"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// render draws the document: pale paper with faint wavy lines, a title,
// a grey photo box, a few fields, and the MRZ in OCR-B at 10 characters
// per inch. It returns the image and the MRZ baselines' y in pixels.
func render(t testing.TB, d doc) (*image.RGBA, []int) {
	t.Helper()
	needFonts(t)
	mm := func(v float64) int { return int(math.Round(v * d.pxPerMM)) }
	img := image.NewRGBA(image.Rect(0, 0, mm(d.wMM), mm(d.hMM)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{236, 240, 230, 255}), image.Point{}, draw.Src)
	wave := color.RGBA{214, 224, 216, 255}
	for k := 0; k < 12; k++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			y := float64(k)*d.hMM/12*d.pxPerMM + 3*d.pxPerMM*math.Sin(float64(x)/(6*d.pxPerMM)+float64(k))
			img.Set(x, int(y), wave)
		}
	}
	ink := image.NewUniform(color.RGBA{25, 25, 35, 255})
	if !d.withoutTitle {
		if face := loadFace(t, dejavuPath, 4*d.pxPerMM); face != nil {
			(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(mm(5), mm(8))}).DrawString(d.title)
		}
		if face := loadFace(t, dejavuPath, 2.6*d.pxPerMM); face != nil {
			fields := []string{"Surname / Nom", "ERIKSSON", "Given names / Prenoms", "ANNA MARIA", "Date of birth  12 AUG 1974"}
			for i, s := range fields {
				(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(mm(0.36*d.wMM), mm(14+4.2*float64(i)))}).DrawString(s)
			}
		}
	}
	photo := image.Rect(mm(5), mm(11), mm(5+0.26*d.wMM), mm(11+0.32*d.wMM))
	draw.Draw(img, photo, image.NewUniform(color.RGBA{150, 152, 158, 255}), image.Point{}, draw.Src)
	if len(d.mrz) == 0 {
		return img, nil
	}
	pitch := 2.54 * d.pxPerMM // 10 characters per inch
	probe := loadFace(t, ocrbPath, 100)
	adv, _ := probe.GlyphAdvance('<')
	face := loadFace(t, ocrbPath, 100*pitch/(float64(adv)/64))
	for _, r := range Alphabet {
		if _, _, ok := face.GlyphBounds(r); !ok {
			t.Fatalf("OCR-B face cannot draw %q", r)
		}
	}
	left := (float64(img.Rect.Dx()) - pitch*float64(len(d.mrz[0]))) / 2
	var baselines []int
	for i, line := range d.mrz {
		y := mm(d.hMM - d.bottomMM - d.linePitchMM*float64(len(d.mrz)-1-i))
		baselines = append(baselines, y)
		(&font.Drawer{Dst: img, Src: ink, Face: face, Dot: fixed.P(int(left), y)}).DrawString(line)
	}
	return img, baselines
}

// rotate turns the page by deg about its centre onto a darker table, as a
// hand-held photo would.
func rotate(src *image.RGBA, deg float64) *image.RGBA {
	m := 0.06
	w, h := float64(src.Rect.Dx()), float64(src.Rect.Dy())
	dst := image.NewRGBA(image.Rect(0, 0, int(w*(1+2*m)), int(h*(1+2*m))))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.RGBA{120, 110, 100, 255}), image.Point{}, draw.Src)
	a := deg * math.Pi / 180
	cx, cy := float64(dst.Rect.Dx())/2, float64(dst.Rect.Dy())/2
	c, s := math.Cos(a), math.Sin(a)
	// Source to destination: translate centre to origin, rotate, move to dst centre.
	tr := f64.Aff3{c, -s, cx - c*w/2 + s*h/2, s, c, cy - s*w/2 - c*h/2}
	xdraw.BiLinear.Transform(dst, tr, src, src.Bounds(), xdraw.Over, nil)
	return dst
}

// addNoise adds Gaussian noise of the given sigma to every channel.
func addNoise(img *image.RGBA, sigma float64, seed uint64) *image.RGBA {
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

func encodePNGImage(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
