package barcode

import (
	"context"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/aamva"
)

// BenchmarkDecodePDF417 measures one ZXingReader run per image (process start included), for the
// Virginia sample: a clean PNG from each encoder and a skewed, noisy JPEG snapshot.
func BenchmarkDecodePDF417(b *testing.B) {
	needTool(b, "ZXingReader")
	payload, err := aamva.Encode(samples()["virginia-dl-v10"])
	if err != nil {
		b.Fatal(err)
	}
	images := []struct {
		name string
		img  []byte
	}{
		{"boombuler-png", encodePNG(b, renderGo(b, payload, 3))},
		{"zxingwriter-png", renderZXing(b, payload, false)},
		{"photo-3deg-jpeg", encodeJPEG(b, photo(renderGo(b, payload, 3), 3, 0.8, 18, 1), 80)},
		{"photo-93deg-jpeg", encodeJPEG(b, photo(renderGo(b, payload, 3), 93, 1.4, 18, 1), 80)},
	}
	for _, im := range images {
		b.Run(im.name, func(b *testing.B) {
			b.SetBytes(int64(len(im.img)))
			for b.Loop() {
				if _, err := DecodePDF417(context.Background(), im.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
