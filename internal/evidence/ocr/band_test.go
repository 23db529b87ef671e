package ocr

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSamples writes the rendered samples and the preprocessed crops
// to OCR_SAMPLES_DIR for a person to look at; it does nothing otherwise.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("OCR_SAMPLES_DIR")
	if dir == "" {
		t.Skip("set OCR_SAMPLES_DIR to write sample images")
	}
	for _, c := range sampleCases(t) {
		if err := os.WriteFile(filepath.Join(dir, c.name+".in"), c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		g, _, err := prepare(c.data, DefaultMaxBytes, DefaultMaxPixels)
		if err != nil {
			t.Logf("%s: %v", c.name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".crop.png"), encodePNGImage(t, g), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindBand(t *testing.T) {
	cases := []struct {
		name  string
		d     doc
		rot   float64
		lines int
	}{
		{"td3", td3Doc(12), 0, 2},
		{"td1", td1Doc(12), 0, 3},
		{"td2", td2Doc(12), 0, 2},
		{"td3 rotated", td3Doc(12), 2, 2},
		{"td1 low resolution", td1Doc(6), 0, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, baselines := render(t, c.d)
			if c.rot != 0 {
				img = rotate(img, c.rot)
			}
			b, err := findBand(toGray(img))
			if err != nil {
				t.Fatal(err)
			}
			if b.lines != c.lines {
				t.Fatalf("found %d lines, want %d", b.lines, c.lines)
			}
			if c.rot == 0 {
				// The band must hold every baseline, and little else.
				if b.y0 > float64(baselines[0]) || b.y1 < float64(baselines[len(baselines)-1])-2 {
					t.Errorf("band %.0f-%.0f misses baselines %v", b.y0, b.y1, baselines)
				}
				if b.slope != 0 {
					t.Errorf("slope %v on a straight page", b.slope)
				}
			} else if want := math.Tan(c.rot * math.Pi / 180); math.Abs(b.slope-want) > 0.005 {
				t.Errorf("slope %v, want %v", b.slope, want)
			}
		})
	}
}
