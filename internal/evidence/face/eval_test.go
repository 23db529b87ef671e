package face

import (
	"math"
	"testing"
)

func TestRatesAndEER(t *testing.T) {
	for _, tc := range []struct {
		name               string
		genuine, impostor  []float64
		threshold          float64
		fmr, fnmr, eer     float64
		eerThreshold       float64
		checkEERThresholds bool
	}{
		{"separable", []float64{0.2, 0.3, 0.4}, []float64{0.7, 0.8, 0.9}, 0.5, 0, 0, 0, 0.55, true},
		{"threshold on a value matches", []float64{0.5}, []float64{0.5}, 0.5, 1, 0, 0.5, 0, false},
		{"overlap", []float64{0.2, 0.4, 0.6, 0.8}, []float64{0.5, 0.7, 0.9, 1.1}, 0.6, 0.25, 0.25, 0.25, 0.65, true},
		{"all impostors match", []float64{0.1}, []float64{0.2, 0.3}, 1.0, 1, 0, 0, 0.15, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := RatesAt(tc.genuine, tc.impostor, tc.threshold)
			if r.FMR != tc.fmr || r.FNMR != tc.fnmr {
				t.Fatalf("RatesAt = %+v, want FMR %v FNMR %v", r, tc.fmr, tc.fnmr)
			}
			e := EER(tc.genuine, tc.impostor)
			if math.Abs(e.FMR-tc.eer) > 1e-9 {
				t.Fatalf("EER = %+v, want %v", e, tc.eer)
			}
			if tc.checkEERThresholds && math.Abs(e.Threshold-tc.eerThreshold) > 1e-9 {
				t.Fatalf("EER threshold %v, want %v", e.Threshold, tc.eerThreshold)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	m := &Matcher{cfg: Config{Threshold: 0.6, Margin: 0.05}}
	for _, tc := range []struct {
		d    float32
		want Decision
	}{{0, Match}, {0.55, Match}, {0.56, Borderline}, {0.6, Borderline}, {0.65, Borderline}, {0.651, NoMatch}, {1.4, NoMatch}} {
		if got := m.decide(tc.d); got != tc.want {
			t.Errorf("decide(%v) = %s, want %s", tc.d, got, tc.want)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("no net accepted")
	}
}
