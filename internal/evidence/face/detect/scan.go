package detect

import (
	"math"
	"sort"

	pigo "github.com/esimov/pigo/core"
)

// candidate is a face window found by the scan, in source coordinates.
type candidate struct {
	center Point
	size   float64 // window side
	angle  float64 // radians, clockwise on screen
	score  float32
}

// minScanSize is the smallest window pigo scans. Windows below about 24
// pixels hold too few pixels for the cascade's comparisons to mean much.
const minScanSize = 24

// scan runs the face cascade upright and at each extra angle over p and
// returns the surviving windows, best first, one per face. The upright scan
// starts at windows of minSize, the rotated ones at minRotated: small windows
// are where the time goes (their number grows with the inverse square of the
// size), and the rotated scans only need to find usable faces.
//
// The plane is first padded by replicating its edges: pigo only places a
// window where it fits entirely inside the image, so a face that fills a
// tight crop (an ID portrait, the 150x150 test crops) would otherwise never
// be scanned at its true size. Rotation is done here by resampling the plane,
// not with pigo's rotated cascade, whose column clamp uses the row count and
// so misreads every column right of the image height in landscape images.
func scan(cs *cascadeSet, p plane, o Options, minSize, minRotated int) []candidate {
	margin := int(math.Round(0.15 * float64(min(p.w, p.h))))
	angles := append([]float64{0}, o.Angles...)
	var all []candidate
	for _, deg := range angles {
		// The rotated scans only look for usable faces, so they run on a
		// view shrunk until those are about 2*minScanSize across: the
		// resampling, not the cascade, is most of their cost.
		sc, lo := 1.0, minSize
		if deg != 0 {
			sc = max(1, float64(minRotated)/(2*minScanSize))
			lo = int(float64(minRotated) / sc)
		}
		f := frame{
			// Integer-centred frames keep the upright view an exact copy.
			center: Point{float64(p.w) / 2, float64(p.h) / 2},
			angle:  deg * math.Pi / 180,
			scale:  sc,
			w:      int(float64(p.w+2*margin) / sc),
			h:      int(float64(p.h+2*margin) / sc),
		}
		var view plane
		if deg == 0 {
			view = pad(p, margin)
		} else {
			view = resample(p, f)
		}
		ip := pigo.ImageParams{Pixels: view.pix, Rows: view.h, Cols: view.w, Dim: view.w}
		dets := cs.face.RunCascade(pigo.CascadeParams{
			MinSize:     max(lo, minScanSize),
			MaxSize:     max(min(view.w, view.h), minScanSize),
			ShiftFactor: o.ShiftFactor,
			ScaleFactor: o.ScaleFactor,
			ImageParams: ip,
		}, 0)
		for _, d := range cs.face.ClusterDetections(dets, 0.2) {
			if d.Q < o.MinScore {
				continue
			}
			c := f.toSource(float64(d.Col), float64(d.Row))
			if c.X < 0 || c.Y < 0 || c.X >= float64(p.w) || c.Y >= float64(p.h) {
				continue // the face's centre is in the padding: mostly out of frame
			}
			all = append(all, candidate{center: c, size: float64(d.Scale) * sc, angle: f.angle, score: d.Q})
		}
	}
	return suppress(all)
}

// suppress keeps the best-scoring window of each group of windows that cover
// the same face: pigo's clustering leaves nested windows of different sizes,
// and each rotated pass finds upright faces again.
func suppress(cands []candidate) []candidate {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var keep []candidate
	for _, c := range cands {
		dup := false
		for _, k := range keep {
			// The same face: either centre lies inside the other's window
			// (pigo's windows run from brow to chin, and two real faces
			// never overlap that much). This also drops windows on part of
			// a face, which pigo's clustering keeps apart when their sizes
			// differ.
			d := c.center.sub(k.center)
			half := 0.5 * math.Max(c.size, k.size)
			if math.Abs(d.X) < half && math.Abs(d.Y) < half {
				dup = true
				break
			}
		}
		if !dup {
			keep = append(keep, c)
		}
	}
	return keep
}
