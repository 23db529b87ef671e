package ocr

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadMRZClean(t *testing.T) {
	r := needTesseract(t)
	for _, c := range sampleCases(t) {
		if c.degraded {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			res, err := r.ReadMRZ(context.Background(), c.data)
			if err != nil {
				t.Fatalf("ReadMRZ: %v (raw %q)", err, res.Raw)
			}
			if !slices.Equal(res.Lines, c.want) || res.Format != c.format {
				t.Fatalf("got %q %s, want %q %s (raw %q)", res.Lines, res.Format, c.want, c.format, res.Raw)
			}
			if res.Confidence <= 0 || res.Confidence > 1 {
				t.Errorf("confidence %v out of (0, 1]", res.Confidence)
			}
		})
	}
}

// TestReadMRZDegraded reports the character error rate on rotated, noisy,
// low-resolution and JPEG-compressed pages; it asserts only that reading
// never panics and that errors are the documented ones.
func TestReadMRZDegraded(t *testing.T) {
	r := needTesseract(t)
	var total float64
	var n int
	for _, c := range sampleCases(t) {
		if !c.degraded {
			continue
		}
		res, err := r.ReadMRZ(context.Background(), c.data)
		rate := 1.0
		if err == nil {
			rate = cer(strings.Join(res.Lines, "\n"), strings.Join(c.want, "\n"))
		} else if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrNoMRZ) {
			t.Errorf("%s: unexpected error %v", c.name, err)
		}
		t.Logf("%-24s CER %.3f format %-3s conf %.2f err %v", c.name, rate, res.Format, res.Confidence, err)
		total += rate
		n++
	}
	t.Logf("mean CER over %d degraded images: %.4f", n, total/float64(n))
}

func TestReadMRZNoMRZ(t *testing.T) {
	noMRZ := td3Doc(12)
	noMRZ.MRZ = nil
	page, _ := render(t, noMRZ)
	blank := td1Doc(8)
	blank.MRZ, blank.WithoutTitle = nil, true
	empty, _ := render(t, blank)
	// No engine is needed: the band is looked for before the engine runs.
	r := &Reader{Binary: "/nonexistent/tesseract"}
	for name, data := range map[string][]byte{"page": encodePNGImage(t, page), "blank": encodePNGImage(t, empty)} {
		_, err := r.ReadMRZ(context.Background(), data)
		var e *Error
		if !errors.Is(err, ErrNoMRZ) || !errors.As(err, &e) || !e.User {
			t.Errorf("%s: got %v, want ErrNoMRZ", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "photograph the whole page") {
			t.Errorf("%s: message %q lacks advice", name, err)
		}
	}
}

func TestMissingEngine(t *testing.T) {
	r := &Reader{Binary: "/nonexistent/dir/tesseract"}
	err := r.Available()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Available: got %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y tesseract-ocr") || strings.Contains(err.Error(), "/nonexistent") {
		t.Errorf("message %q: want the install hint and no path", err)
	}
	clean, _ := render(t, td3Doc(8))
	_, err = r.ReadMRZ(context.Background(), encodePNGImage(t, clean))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ReadMRZ: got %v, want ErrUnavailable", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.User {
		t.Errorf("a missing engine is not the user's problem: %#v", e)
	}
}

func BenchmarkReadMRZ(b *testing.B) {
	r := needTesseract(b)
	img, _ := render(b, td3Doc(12))
	data := encodePNGImage(b, img)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadMRZ(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrepare(b *testing.B) {
	img, _ := render(b, td3Doc(12))
	data := encodePNGImage(b, img)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := prepare(data, DefaultMaxBytes, DefaultMaxPixels); err != nil {
			b.Fatal(err)
		}
	}
}
