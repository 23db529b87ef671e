package detect

import "math"

// Pose is a rough head pose, in degrees, from the five landmarks.
//
// Roll is the angle of the line from LeftEye to RightEye, clockwise on screen
// (image y points down); it is as good as the pupils, a degree or two.
//
// Yaw and Pitch come from where the nose sits relative to the eyes and
// mouth, with a one-parameter head model (the nose point stands forward of
// the eye-mouth plane by half the eye distance) and orthographic projection.
// They are rough: expect errors of 10 degrees or more, more for faces that
// are not average, and no meaning past about 40 degrees, where pigo loses
// the face anyway. They are good for telling "turned left" from "straight"
// from "turned right", which is what liveness prompts need, not for
// measuring.
//
// Yaw is positive when the nose points towards the image's right edge (in an
// unmirrored photo the subject turned to their own left); mirroring the
// image flips its sign. Pitch is positive when the face looks up.
type Pose struct {
	Yaw, Pitch, Roll float64
}

const (
	// noseDepth is the nose point's distance in front of the eye-mouth
	// plane, in eye distances (adult average, about 30 mm for 63 mm).
	noseDepth = 0.5
	// noseRatio is where the nose point (pigo's lp93, the bottom of the
	// nose) sits between the eye line and the mouth in a frontal face, as
	// a fraction of the eye-to-mouth distance; measured on the test photos.
	noseRatio = 0.62
)

// estimatePose works in the face's own axes: x along the eye line, y from
// the eyes' midpoint towards the mouth's.
func estimatePose(f Face) Pose {
	eyes := mid(f.LeftEye, f.RightEye)
	mouth := mid(f.MouthLeft, f.MouthRight)
	ipd := f.LeftEye.dist(f.RightEye)
	roll := math.Atan2(f.RightEye.Y-f.LeftEye.Y, f.RightEye.X-f.LeftEye.X)
	if ipd == 0 {
		return Pose{Roll: deg(roll)}
	}
	sin, cos := math.Sincos(-roll)
	level := func(q Point) Point { // rotate about the eyes so they are level
		d := q.sub(eyes)
		return Point{cos*d.X - sin*d.Y, sin*d.X + cos*d.Y}
	}
	m, n := level(mouth), level(f.Nose)
	if m.Y <= 0 {
		return Pose{Roll: deg(roll)}
	}
	// The face's midline runs from the eyes' midpoint (the origin) to the
	// mouth's; the nose's offset from it at the nose's height is the yaw cue.
	dx := n.X - m.X*n.Y/m.Y
	yaw := math.Atan(dx / (noseDepth * ipd))
	// A raised head lifts the nose towards the eye line. The eye-to-mouth
	// distance shrinks with pitch too, but that divides out of the ratio.
	pitch := math.Atan((noseRatio - n.Y/m.Y) * m.Y / (noseDepth * ipd))
	return Pose{Yaw: deg(yaw), Pitch: deg(pitch), Roll: deg(roll)}
}

func deg(rad float64) float64 { return rad * 180 / math.Pi }
