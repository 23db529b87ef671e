package ocr

// Thresholds for text lines in the reduced image.
const (
	minLineRows     = 3    // rows: shorter runs are specks
	minLineAspect   = 10.0 // width / height: MRZ lines are 30 to 44 characters long
	minLineCoverage = 0.75 // share of the line's extent holding strokes
	maxHeightRatio  = 1.6
	maxGapLines     = 2.5  // gap between MRZ lines, in line heights
	extentTol       = 0.08 // of the line width, for left and right ends
)

// textLines cuts the sheared row profile into runs of text rows and measures
// each run's horizontal extent and how evenly strokes fill it.
func textLines(xs, ys []int32, slope float64, w, h int) []segment {
	off, rows := shearRows(w, h)
	prof := profile(xs, ys, slope, w, h)
	minEdges := max(8, w*3/100)
	isText := make([]bool, rows)
	for r := 1; r < rows-1; r++ {
		isText[r] = (prof[r-1]+2*prof[r]+prof[r+1])/4 >= minEdges
	}
	runOf := make([]int, rows)
	var segs []segment
	for r := 0; r < rows; {
		if !isText[r] {
			runOf[r] = -1
			r++
			continue
		}
		start := r
		// A single quiet row inside a line does not end it.
		for r < rows && (isText[r] || (r+1 < rows && isText[r+1])) {
			r++
		}
		for i := start; i < r; i++ {
			runOf[i] = -1
		}
		if r-start >= minLineRows {
			for i := start; i < r; i++ {
				runOf[i] = len(segs)
			}
			segs = append(segs, segment{y0: start, y1: r})
		}
	}
	hist := make([][]int, len(segs))
	for i := range segs {
		hist[i] = make([]int, w)
	}
	for i := range xs {
		if r := shearedRow(xs[i], ys[i], slope, off); r >= 0 && r < rows && runOf[r] >= 0 {
			hist[runOf[r]][xs[i]]++
		}
	}
	for i := range segs {
		measure(&segs[i], hist[i])
		segs[i].y0 -= off
		segs[i].y1 -= off
	}
	return segs
}

// measure sets the extent (2nd to 98th percentile of stroke x) and the
// share of line-height-wide bins in it that hold strokes.
func measure(s *segment, hist []int) {
	total := 0
	for _, c := range hist {
		total += c
	}
	if total == 0 {
		return
	}
	lo, hi := total/50, total-total/50
	acc := 0
	s.x0, s.x1 = -1, 0
	for x, c := range hist {
		acc += c
		if s.x0 < 0 && acc > lo {
			s.x0 = x
		}
		if acc >= hi {
			s.x1 = x
			break
		}
	}
	bin := max(s.height(), 4)
	filled, bins := 0, 0
	for x := s.x0; x <= s.x1; x += bin {
		n := 0
		for _, c := range hist[x:min(x+bin, s.x1+1)] {
			n += c
		}
		bins++
		if n >= 2 {
			filled++
		}
	}
	s.coverage = float64(filled) / float64(bins)
}

func lineOK(s segment) bool {
	h := s.height()
	return h >= minLineRows && float64(s.x1-s.x0)/float64(h) >= minLineAspect && s.coverage >= minLineCoverage
}

// compatible tells whether upper and lower can be consecutive MRZ lines.
func compatible(upper, lower segment) bool {
	ha, hb := float64(upper.height()), float64(lower.height())
	if max(ha, hb)/min(ha, hb) > maxHeightRatio {
		return false
	}
	gap := float64(lower.y0 - upper.y1)
	if gap < 0 || gap > maxGapLines*max(ha, hb) {
		return false
	}
	tol := extentTol * float64(lower.x1-lower.x0)
	return abs(float64(upper.x0-lower.x0)) <= tol && abs(float64(upper.x1-lower.x1)) <= tol
}

// mrzChain returns the lowest chain of two or three compatible lines, top
// first, or nil.
func mrzChain(segs []segment) []segment {
	for i := len(segs) - 1; i >= 1; i-- {
		if !lineOK(segs[i]) {
			continue
		}
		chain := []segment{segs[i]}
		for j := i - 1; j >= 0 && len(chain) < 3; j-- {
			if !lineOK(segs[j]) || !compatible(segs[j], chain[0]) {
				break
			}
			chain = append([]segment{segs[j]}, chain...)
		}
		if len(chain) >= 2 {
			return chain
		}
	}
	return nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
