package detect

import "math"

// patchFace is the face window side, in patch pixels, that every face is
// resampled to before the landmark cascades run: they then see the same
// resolution whatever the face's size, and an upright face whatever its tilt.
const patchFace = 128

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
// of side patchFace centred in it. The start positions and sizes are pigo's
// own (cmd/pigo and PuplocCascade.GetLandmarkPoint): pupils 7.5% of the
// window above its centre and 17.5% to either side at a quarter of its size;
// the other points from below the eyes' midpoint at three eye distances.
func patchLandmarks(cs *cascadeSet, q plane) points {
	const s = float32(patchFace)
	cr, cc := float32(q.h/2), float32(q.w/2)
	le := cs.pupil.locate(q, cr-0.075*s, cc-0.175*s, 0.25*s, false)
	re := cs.pupil.locate(q, cr-0.075*s, cc+0.175*s, 0.25*s, false)
	d := float32(le.dist(re))
	m := mid(le, re)
	point := func(pc *pupCascade, mirror bool) Point {
		return pc.locate(q, float32(m.Y)+0.25*d, float32(m.X)+0.15*d, 3*d, mirror)
	}
	return points{
		leftEye:  le,
		rightEye: re,
		// The nose cascade is run as trained and mirrored and the two
		// averaged, so that a mirrored image gives a mirrored nose.
		nose:       mid(point(cs.nose, false), point(cs.nose, true)),
		mouthLeft:  point(cs.mouthC, false),
		mouthRight: point(cs.mouthC, true),
	}
}
