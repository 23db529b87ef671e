// Package stats holds what both benchmark programs (bench and
// bench/revocation) report with, so that their percentiles mean the same.
package stats

import (
	"math"
	"os"
	"strings"
	"time"
)

// Quantile is the nearest-rank q-quantile (0..1) of sorted, which must be
// in ascending order: the smallest sample with at least a q share of the
// samples at or below it (q = 1: the maximum). 0 without samples.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(min(max(q, 0), 1)*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// LoadAverage is ", load avg X Y Z" where /proc/loadavg exists, else "":
// benchmarks on a shared machine print it beside their numbers.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return ", load avg " + strings.Join(f[:3], " ")
}
