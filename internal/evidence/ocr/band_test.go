package ocr

import (
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
