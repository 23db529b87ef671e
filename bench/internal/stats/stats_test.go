package stats

import (
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	upTo := func(n int) []time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = time.Duration(i+1) * time.Millisecond
		}
		return ds
	}
	hundred := upTo(100)
	for _, tc := range []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", []time.Duration{7}, 0.99, 7},
		{"p50 of 1..100", hundred, 0.5, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 0.99, 99 * time.Millisecond},
		{"p0 is the minimum", hundred, 0, time.Millisecond},
		{"p100 is the maximum", hundred, 1, 100 * time.Millisecond},
		{"q above 1 is the maximum", hundred, 2, 100 * time.Millisecond},
		{"p50 of two is the lower", []time.Duration{1, 2}, 0.5, 1},
		{"p99 of 200 is the 198th", upTo(200), 0.99, 198 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Quantile(tc.in, tc.q); got != tc.want {
				t.Fatalf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}
