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

// FuzzDetectPixels skips the codecs: the bytes are a grey image's size and
// pixels, so the fuzzer's effort goes into the detector and Align, on odd
// sizes and bounds that do not start at zero.
func FuzzDetectPixels(f *testing.F) {
	face := downscale(load(f, "penny/penny2.png"), 1)
	seed := append([]byte{byte(face.Rect.Dx()), byte(face.Rect.Dy()), 3, 7}, face.Pix...)
	f.Add(seed)
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{255, 1, 0, 0, 9, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 {
			return
		}
		w, h := 1+int(data[0]), 1+int(data[1])
		x0, y0 := int(int8(data[2])), int(int8(data[3]))
		img := image.NewGray(image.Rect(x0, y0, x0+w, y0+h))
		if px := data[4:]; len(px) > 0 {
			for i := range img.Pix {
				img.Pix[i] = px[i%len(px)]
			}
		}
		faces, err := Detect(img, Options{Multiple: true, MinFaceSize: 40})
		if err != nil && ReasonOf(err) == "" {
			t.Fatalf("error without a reason: %v", err)
		}
		for _, fc := range faces {
			if !fc.Box.Overlaps(img.Rect) {
				t.Fatalf("box %v outside the image %v", fc.Box, img.Rect)
			}
			Align(img, fc, 24)
		}
	})
}

// FuzzAlign: any landmarks, however wild, give a chip of the asked size.
func FuzzAlign(f *testing.F) {
	f.Add(40.0, 40.0, 100.0, 42.0, 70.0, 80.0, 50.0, 110.0, 95.0, 110.0, 150)
	f.Add(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
	f.Add(1e308, -1e308, 5e-324, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -5)
	img := load(f, "amy/amy2.png")
	f.Fuzz(func(t *testing.T, lx, ly, rx, ry, nx, ny, mlx, mly, mrx, mry float64, size int) {
		fc := Face{
			Box:     image.Rect(int(int16(lx)), int(int16(ly)), int(int16(rx)), int(int16(ry))),
			LeftEye: Point{lx, ly}, RightEye: Point{rx, ry}, Nose: Point{nx, ny},
			MouthLeft: Point{mlx, mly}, MouthRight: Point{mrx, mry},
		}
		size = size % 300
		m := Align(img, fc, size)
		want := size
		if size < 1 {
			want = ChipSize
		}
		if m.Bounds() != image.Rect(0, 0, want, want) {
			t.Fatalf("bounds %v for size %d", m.Bounds(), size)
		}
	})
}
