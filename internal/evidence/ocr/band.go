package ocr

import (
	"image"
	"math"
)

// Band finding works on a copy reduced to about this width: enough for
// MRZ characters to keep several pixels of height, cheap to scan.
const (
	workWidth  = 1200
	edgeThresh = 40 // Sobel-x response (scaled to 0-255) that counts as a stroke edge
	maxSkewDeg = 4.0
	skewStep   = 0.25
)

// band is the MRZ region in source pixels. Its rows run along the skew:
// a text row at height y (measured at x = 0) passes through (x, y + slope*x).
type band struct {
	x0, x1     float64
	y0, y1     float64 // top of the first line, bottom of the last, at x = 0
	slope      float64
	lineHeight float64 // character height
	lines      int
}

// segment is one text line found in the reduced image.
type segment struct {
	y0, y1   int // sheared rows, end exclusive
	x0, x1   int
	coverage float64
}

func (s segment) height() int { return s.y1 - s.y0 }

// findBand locates the MRZ: the lowest chain of two or three text lines of
// equal height and equal extent, each long and evenly filled, as MRZ lines
// are (fillers '<' pad every line to full length).
func findBand(g *image.Gray) (band, error) {
	k := (g.Rect.Dx() + workWidth - 1) / workWidth
	small := boxDown(g, k)
	xs, ys := strokeEdges(small)
	if len(xs) == 0 {
		return band{}, ErrNoMRZ
	}
	slope := estimateSkew(xs, ys, small.Rect.Dx(), small.Rect.Dy())
	segs := textLines(xs, ys, slope, small.Rect.Dx(), small.Rect.Dy())
	chain := mrzChain(segs)
	if chain == nil {
		return band{}, ErrNoMRZ
	}
	top, bottom := chain[0], chain[len(chain)-1]
	b := band{x0: float64(top.x0), x1: float64(top.x1), y0: float64(top.y0), y1: float64(bottom.y1),
		slope: slope, lines: len(chain)}
	var h float64
	for _, s := range chain {
		b.x0 = math.Min(b.x0, float64(s.x0))
		b.x1 = math.Max(b.x1, float64(s.x1))
		h += float64(s.height())
	}
	f := float64(k)
	b.x0, b.x1, b.y0, b.y1 = b.x0*f, (b.x1+1)*f, b.y0*f, b.y1*f
	b.lineHeight = h / float64(len(chain)) * f
	return b, nil
}

// boxDown averages k x k blocks; k = 1 returns g itself.
func boxDown(g *image.Gray, k int) *image.Gray {
	if k <= 1 {
		return g
	}
	w, h := g.Rect.Dx()/k, g.Rect.Dy()/k
	out := image.NewGray(image.Rect(0, 0, w, h))
	sums := make([]int, w)
	for y := 0; y < h; y++ {
		clear(sums)
		for dy := 0; dy < k; dy++ {
			row := g.Pix[(y*k+dy)*g.Stride:]
			for x := 0; x < w; x++ {
				for _, p := range row[x*k : x*k+k] {
					sums[x] += int(p)
				}
			}
		}
		for x := range sums {
			out.Pix[y*out.Stride+x] = uint8(sums[x] / (k * k))
		}
	}
	return out
}

// strokeEdges returns the points where a Sobel-x filter responds strongly:
// the sides of vertical strokes. Horizontal edges (box borders, rules) give
// nothing, which keeps photos and frames out of the text profile.
func strokeEdges(g *image.Gray) (xs, ys []int32) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 1; y < h-1; y++ {
		up, mid, dn := g.Pix[(y-1)*g.Stride:], g.Pix[y*g.Stride:], g.Pix[(y+1)*g.Stride:]
		for x := 1; x < w-1; x++ {
			gx := int(up[x+1]) - int(up[x-1]) + 2*(int(mid[x+1])-int(mid[x-1])) + int(dn[x+1]) - int(dn[x-1])
			if gx < 0 {
				gx = -gx
			}
			if gx >= 4*edgeThresh {
				xs, ys = append(xs, int32(x)), append(ys, int32(y))
			}
		}
	}
	return xs, ys
}

// estimateSkew returns the slope whose sheared row profile is sharpest:
// text lines then fall on as few rows as possible.
func estimateSkew(xs, ys []int32, w, h int) float64 {
	best, bestScore := 0.0, -1.0
	n := int(math.Round(maxSkewDeg / skewStep))
	for i := -n; i <= n; i++ {
		slope := math.Tan(float64(i) * skewStep * math.Pi / 180)
		prof := profile(xs, ys, slope, w, h)
		var score float64
		for _, c := range prof {
			score += float64(c) * float64(c)
		}
		if score > bestScore || (score == bestScore && math.Abs(slope) < math.Abs(best)) {
			best, bestScore = slope, score
		}
	}
	return best
}

// shearRows makes sheared rows non-negative for any slope within range.
func shearRows(w, h int) (offset, rows int) {
	d := int(math.Ceil(float64(w)*math.Tan(maxSkewDeg*math.Pi/180))) + 1
	return d, h + 2*d
}

func shearedRow(x, y int32, slope float64, offset int) int {
	return int(math.Round(float64(y)-float64(x)*slope)) + offset
}

func profile(xs, ys []int32, slope float64, w, h int) []int {
	off, rows := shearRows(w, h)
	prof := make([]int, rows)
	for i := range xs {
		if r := shearedRow(xs[i], ys[i], slope, off); r >= 0 && r < rows {
			prof[r]++
		}
	}
	return prof
}
