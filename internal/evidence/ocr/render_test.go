package ocr

import (
	"image"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/ocr/ocrtest"
)

// The renderer lives in ocrtest so that other packages' tests can use it;
// these short names keep this package's tests readable.

type doc = ocrtest.Doc

var (
	specTD3 = ocrtest.SpecTD3
	specTD1 = ocrtest.SpecTD1
	specTD2 = ocrtest.SpecTD2
)

func td3Doc(pxPerMM float64) doc { return ocrtest.TD3(pxPerMM) }
func td1Doc(pxPerMM float64) doc { return ocrtest.TD1(pxPerMM) }
func td2Doc(pxPerMM float64) doc { return ocrtest.TD2(pxPerMM) }

func render(t testing.TB, d doc) (*image.RGBA, []int) { return ocrtest.Render(t, d) }
func rotate(src *image.RGBA, deg float64) *image.RGBA { return ocrtest.Rotate(src, deg) }
func addNoise(img *image.RGBA, sigma float64, seed uint64) *image.RGBA {
	return ocrtest.AddNoise(img, sigma, seed)
}
func encodePNGImage(t testing.TB, img image.Image) []byte { return ocrtest.EncodePNG(t, img) }
func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	return ocrtest.EncodeJPEG(t, img, quality)
}
