package detect

import (
	"image"
	"math"
)

// Point is a position in the source image's pixel coordinates, sub-pixel.
// Pixel (x, y) has its centre at (x, y), as image.Image indexes it.
type Point struct{ X, Y float64 }

func (p Point) sub(q Point) Point    { return Point{p.X - q.X, p.Y - q.Y} }
func (p Point) dist(q Point) float64 { return math.Hypot(p.X-q.X, p.Y-q.Y) }
func mid(p, q Point) Point           { return Point{(p.X + q.X) / 2, (p.Y + q.Y) / 2} }

// Face is one detected face.
//
// Left and right are as seen in the image, not the subject's own: LeftEye is
// the eye nearer the image's left edge in the upright face (the subject's
// right eye in an unmirrored photo), MouthLeft likewise.
type Face struct {
	// Box is the detector's square window, in source pixel coordinates. It
	// is not rotated even when the face is: it bounds the rotated window's
	// centre square. Pigo's windows run from the eyebrows to the chin.
	Box image.Rectangle
	// Score is the summed cascade confidence of the window cluster that
	// found the face; higher is surer. It is at least Options.MinScore; the
	// face was also confirmed at 1.5 x MinScore (see confirmed).
	Score float32
	// Angle is the in-plane rotation (degrees, clockwise on screen) of the
	// scan that found the face; Pose.Roll is the finer estimate from the eyes.
	Angle float64

	LeftEye, RightEye     Point // pupil centres
	Nose                  Point // nose tip
	MouthLeft, MouthRight Point // mouth corners

	// LandmarkConfidence in [0, 1] says how well the five points fit the
	// geometry of a frontal face (see landmarkConfidence). Pigo's landmark
	// cascades always return a point, even on a non-face; this is the only
	// check that they found the real features.
	LandmarkConfidence float64

	Pose Pose
}

// Size is the side of the detection box in pixels.
func (f Face) Size() int { return f.Box.Dx() }
