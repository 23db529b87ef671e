package detect

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// FuzzDecodeDetect runs outside bytes through the whole path a selfie
// takes: DecodeLimited, Detect, Align. Nothing may panic; every failure
// must carry a reason. The limits are small so each run is quick.
func FuzzDecodeDetect(f *testing.F) {
	const maxBytes, maxPixels = 64 << 10, 160 * 160
	for _, c := range decodeCases(f) {
		if len(c.in) <= maxBytes {
			f.Add(c.in)
		}
	}
	// A real face, and one small enough to be too small.
	f.Add(readFile(f, "sheldon/sheldon2.png"))
	var b bytes.Buffer
	if err := png.Encode(&b, downscale(load(f, "amy/amy3.png"), 2)); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := DecodeLimited(bytes.NewReader(data), maxBytes, maxPixels)
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("decode error without a reason: %v", err)
			}
			return
		}
		faces, err := Detect(img, Options{Multiple: true})
		if err != nil {
			if ReasonOf(err) == "" {
				t.Fatalf("detect error without a reason: %v", err)
			}
			return
		}
		for _, fc := range faces {
			chip := Align(img, fc, 32)
			if chip.Bounds() != image.Rect(0, 0, 32, 32) {
				t.Fatalf("chip bounds %v", chip.Bounds())
			}
		}
	})
}
