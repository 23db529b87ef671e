package detect

import (
	"math"

	pigo "github.com/esimov/pigo/core"
)

// patchFace is the face window side, in patch pixels, that every face is
// resampled to before the landmark cascades run: they then see the same
// resolution whatever the face's size, and an upright face whatever its tilt.
const patchFace = 128

// perturbs is how many jittered starts pigo's landmark and pupil cascades
// run; the result is the per-coordinate median. It must be 63: pigo keeps
// the runs in pooled 63-element slices and sorts all 63, so with fewer runs
// the median mixes in stale values from earlier calls. The jitter comes from
// math/rand's global source, so landmarks vary by a pixel or so from run to
// run; 63 runs keep that small.
const perturbs = 63

// points are the five landmarks in some coordinate frame.
type points struct {
	leftEye, rightEye, nose, mouthLeft, mouthRight Point
}

// landmarks locates the eyes, nose and mouth corners of the face in c and
// returns them in source coordinates.
//
// The face is cut out upright: first at the scan's angle, then, if the eyes
// say the head is tilted by more than a few degrees, once more at the eyes'
// angle. Pigo's landmark cascades have no rotated variant, so running them on
// an upright patch is what keeps them accurate on tilted heads.
func landmarks(cs *cascadeSet, p plane, c candidate) points {
	angle := c.angle
	var pts points
	for pass := 0; pass < 2; pass++ {
		f := frame{center: c.center, angle: angle, scale: c.size / patchFace, w: 2 * patchFace, h: 2 * patchFace}
		pts = patchLandmarks(cs, resample(p, f))
		tilt := math.Atan2(pts.rightEye.Y-pts.leftEye.Y, pts.rightEye.X-pts.leftEye.X)
		pts = points{
			leftEye:    f.toSource(pts.leftEye.X, pts.leftEye.Y),
			rightEye:   f.toSource(pts.rightEye.X, pts.rightEye.Y),
			nose:       f.toSource(pts.nose.X, pts.nose.Y),
			mouthLeft:  f.toSource(pts.mouthLeft.X, pts.mouthLeft.Y),
			mouthRight: f.toSource(pts.mouthRight.X, pts.mouthRight.Y),
		}
		if math.Abs(tilt) < 4*math.Pi/180 {
			break
		}
		angle += tilt
	}
	return pts
}

// patchLandmarks runs the cascades on an upright patch with the face window
// of side patchFace centred in it. The eye start positions and sizes are
// pigo's own (cmd/pigo): pupils sit 7.5% of the window above its centre and
// 17.5% to either side.
func patchLandmarks(cs *cascadeSet, q plane) points {
	ip := pigo.ImageParams{Pixels: q.pix, Rows: q.h, Cols: q.w, Dim: q.w}
	s := float64(patchFace)
	cr, cc := q.h/2, q.w/2
	eye := func(dc float64) *pigo.Puploc {
		return cs.pupil.RunDetector(pigo.Puploc{
			Row:      cr - int(0.075*s),
			Col:      cc + int(dc*s),
			Scale:    float32(0.25 * s),
			Perturbs: perturbs,
		}, ip, 0, false)
	}
	le, re := eye(-0.175), eye(0.175)
	at := func(l *pigo.Puploc) Point { return Point{float64(l.Col), float64(l.Row)} }
	// flipV mirrors a cascade trained on one side of the face to the other.
	return points{
		leftEye:  at(le),
		rightEye: at(re),
		// The nose cascade is run as trained and mirrored and the two
		// averaged, so that a mirrored image gives a mirrored nose.
		nose:       mid(at(cs.nose.GetLandmarkPoint(le, re, ip, perturbs, false)), at(cs.nose.GetLandmarkPoint(le, re, ip, perturbs, true))),
		mouthLeft:  at(cs.mouthC.GetLandmarkPoint(le, re, ip, perturbs, false)),
		mouthRight: at(cs.mouthC.GetLandmarkPoint(le, re, ip, perturbs, true)),
	}
}
