package face

import (
	"math"
	"slices"
)

// Rates are the error rates of a threshold over labelled distances: the
// false match rate (impostor pairs at or below it) and the false non-match
// rate (genuine pairs above it).
type Rates struct {
	Threshold float64
	FMR, FNMR float64
}

// RatesAt counts the errors of a threshold. Distances at the threshold
// match, as in Matcher.
func RatesAt(genuine, impostor []float64, threshold float64) Rates {
	r := Rates{Threshold: threshold}
	for _, d := range impostor {
		if d <= threshold {
			r.FMR++
		}
	}
	for _, d := range genuine {
		if d > threshold {
			r.FNMR++
		}
	}
	if len(impostor) > 0 {
		r.FMR /= float64(len(impostor))
	}
	if len(genuine) > 0 {
		r.FNMR /= float64(len(genuine))
	}
	return r
}

// EER finds the equal error rate: over every observed distance as a
// threshold, the one where FMR and FNMR are closest, reporting their mean.
// With separable sets it is 0 at any threshold between the largest genuine
// and the smallest impostor distance; it returns the midpoint.
func EER(genuine, impostor []float64) Rates {
	all := slices.Concat(genuine, impostor)
	slices.Sort(all)
	best := Rates{FMR: 1, FNMR: 1}
	bestGap := math.Inf(1)
	for i, t := range all {
		if i+1 < len(all) && all[i+1] > t {
			t = (t + all[i+1]) / 2 // between observations: no tie at the threshold
		}
		r := RatesAt(genuine, impostor, t)
		gap := math.Abs(r.FMR - r.FNMR)
		if gap < bestGap || (gap == bestGap && r.FMR+r.FNMR < best.FMR+best.FNMR) {
			best, bestGap = r, gap
		}
	}
	mean := (best.FMR + best.FNMR) / 2
	best.FMR, best.FNMR = mean, mean
	return best
}
