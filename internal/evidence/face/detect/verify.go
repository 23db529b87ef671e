package detect

import (
	"math"

	pigo "github.com/esimov/pigo/core"
)

// verifyFactor sets the rescan's bar relative to Options.MinScore. On the
// test photos real faces rescanned at 34 and up, the false positive at 14;
// 1.5 x 15 sits between with room on both sides.
const verifyFactor = 1.5

// verify rescans a candidate with the face cascade after its landmarks are
// known: on an upright patch turned by the eyes' angle, at sizes around the
// candidate's, and returns the best cluster score found near its centre.
//
// Every extra scan angle is another chance for pigo to fire on something
// that is not a face (in the group photo, a hand on a pink dress scored 24 at
// -15 degrees, above any threshold that keeps the weakest real faces). A real
// face, turned upright by its own eyes, scores at least as well as it did in
// the scan; a false one found at a slant has eyes that do not line up with
// the slant and fails the rescan.
func verify(cs *cascadeSet, p plane, c candidate, pts points, o Options) float32 {
	angle := math.Atan2(pts.rightEye.Y-pts.leftEye.Y, pts.rightEye.X-pts.leftEye.X)
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
