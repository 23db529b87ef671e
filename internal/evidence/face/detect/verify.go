package detect

import (
	"math"

	pigo "github.com/esimov/pigo/core"
)

// verifyFactor sets the confirmation bar relative to Options.MinScore. The
// rescan angle follows the eyes, and a degree or two changes its score:
// with the eyes of 15 runs of pigo's own randomly started pupil cascade on
// each test photo, real faces rescanned at 28 and up, the one false positive
// at 5 to 18; 1.5 x 15 = 22.5 sits between.
const verifyFactor = 1.5

// agreeAngle is how far the eyes' angle may be from the scan's for the scan
// to count as having looked at the face upright: about the cascade's own
// tolerance of tilt.
const agreeAngle = 10 * math.Pi / 180

// confirmed decides whether a candidate is a face, now that its landmarks
// are known.
//
// Every extra scan angle is another chance for pigo to fire on something
// that is not a face (in the group photo, a hand on a pink dress scored 24 at
// -15 degrees, above any threshold that keeps the weakest real faces). A real
// face has eyes that agree with the angle it was found at; if they do, the
// scan's own score must clear the bar. If they do not, the face is rescanned
// upright along its eye line (verify) and that score must clear it: a real
// face turned upright by its own eyes scores at least as well as in the
// scan, a false one does not. Using the scan's score where it applies keeps
// the decision from hanging on a degree of eye angle.
func confirmed(cs *cascadeSet, p plane, c candidate, pts points, o Options) bool {
	bar := verifyFactor * o.MinScore
	tilt := math.Atan2(pts.rightEye.Y-pts.leftEye.Y, pts.rightEye.X-pts.leftEye.X)
	d := math.Remainder(tilt-c.angle, 2*math.Pi)
	if math.Abs(d) <= agreeAngle && c.score >= bar {
		return true
	}
	return verify(cs, p, c, tilt, o) >= bar
}

// verify rescans a candidate with the face cascade on an upright patch
// turned by angle (the eyes'), at sizes around the candidate's, and returns
// the best cluster score found near its centre.
func verify(cs *cascadeSet, p plane, c candidate, angle float64, o Options) float32 {
	f := frame{center: c.center, angle: angle, scale: c.size / patchFace, w: 2 * patchFace, h: 2 * patchFace}
	q := resample(p, f)
	dets := cs.face.RunCascade(pigo.CascadeParams{
		MinSize:     patchFace * 7 / 10,
		MaxSize:     patchFace * 14 / 10,
		ShiftFactor: o.ShiftFactor,
		ScaleFactor: o.ScaleFactor,
		ImageParams: pigo.ImageParams{Pixels: q.pix, Rows: q.h, Cols: q.w, Dim: q.w},
	}, 0)
	var best float32
	for _, d := range cs.face.ClusterDetections(dets, 0.2) {
		off := math.Hypot(float64(d.Col-patchFace), float64(d.Row-patchFace))
		if off < 0.25*patchFace && d.Q > best {
			best = d.Q
		}
	}
	return best
}
