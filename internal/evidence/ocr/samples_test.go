package ocr

import "testing"

type sample struct {
	name     string
	data     []byte
	want     []string
	format   string
	degraded bool
}

// sampleCases renders the three specimens clean and degraded.
func sampleCases(t testing.TB) []sample {
	t.Helper()
	var out []sample
	for _, d := range []struct {
		name   string
		mk     func(float64) doc
		format string
	}{{"td3", td3Doc, "TD3"}, {"td1", td1Doc, "TD1"}, {"td2", td2Doc, "TD2"}} {
		clean, _ := render(t, d.mk(12))
		low, _ := render(t, d.mk(6))
		want := d.mk(1).MRZ
		out = append(out,
			sample{d.name + "-clean", encodePNGImage(t, clean), want, d.format, false},
			sample{d.name + "-rot+1.5", encodePNGImage(t, rotate(clean, 1.5)), want, d.format, true},
			sample{d.name + "-rot-2", encodePNGImage(t, rotate(clean, -2)), want, d.format, true},
			sample{d.name + "-noise20", encodePNGImage(t, addNoise(clean, 20, 1)), want, d.format, true},
			sample{d.name + "-6pxmm", encodePNGImage(t, low), want, d.format, true},
			sample{d.name + "-jpeg30", encodeJPEG(t, clean, 30), want, d.format, true},
			sample{d.name + "-6pxmm-rot1-jpeg50", encodeJPEG(t, rotate(low, 1), 50), want, d.format, true},
		)
	}
	return out
}
