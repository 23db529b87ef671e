package detect

import (
	"image"
	"math"
	"testing"
)

// face5 builds a face from points given in the face's own frame (x right,
// y down, eye distance 60), turned clockwise by roll degrees about (200, 200).
func face5(roll float64, le, re, nose, ml, mr Point) Face {
	s, c := math.Sincos(roll * math.Pi / 180)
	at := func(p Point) Point { return Point{200 + c*p.X - s*p.Y, 200 + s*p.X + c*p.Y} }
	return Face{
		Box:     image.Rect(80, 80, 320, 320),
		LeftEye: at(le), RightEye: at(re), Nose: at(nose),
		MouthLeft: at(ml), MouthRight: at(mr),
	}
}

func TestPose(t *testing.T) {
	le, re := Point{-30, -30}, Point{30, -30}
	ml, mr := Point{-22, 35}, Point{22, 35}
	frontalNose := Point{0, -30 + noseRatio*65}
	cases := []struct {
		name             string
		f                Face
		yaw, pitch, roll float64 // wanted, degrees
		yawTol, pitchTol float64
	}{
		{"frontal", face5(0, le, re, frontalNose, ml, mr), 0, 0, 0, 0.5, 0.5},
		{"tilted 20", face5(20, le, re, frontalNose, ml, mr), 0, 0, 20, 0.5, 0.5},
		{"tilted -40", face5(-40, le, re, frontalNose, ml, mr), 0, 0, -40, 0.5, 0.5},
		// Nose 30 px (half the eye distance) right of the midline: the
		// head model puts the nose half an eye distance forward, so that
		// is atan(1) = 45 degrees.
		{"nose right", face5(0, le, re, frontalNose.add(Point{30, 0}), ml, mr), 45, 0, 0, 0.5, 0.5},
		{"nose left, tilted", face5(10, le, re, frontalNose.add(Point{-15, 0}), ml, mr), -26.6, 0, 10, 0.5, 0.5},
		{"nose up", face5(0, le, re, frontalNose.add(Point{0, -15}), ml, mr), 0, 26.6, 0, 0.5, 0.5},
		{"nose down", face5(0, le, re, frontalNose.add(Point{0, 15}), ml, mr), 0, -26.6, 0, 0.5, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := estimatePose(c.f)
			if math.Abs(p.Yaw-c.yaw) > c.yawTol || math.Abs(p.Pitch-c.pitch) > c.pitchTol || math.Abs(p.Roll-c.roll) > 0.01 {
				t.Errorf("pose %+.1f, want yaw %.1f pitch %.1f roll %.1f", p, c.yaw, c.pitch, c.roll)
			}
		})
	}
	// Degenerate points give a pose, not a NaN or a panic.
	for _, f := range []Face{{}, face5(0, le, le, le, le, le), face5(0, le, re, frontalNose, Point{0, -40}, Point{0, -40})} {
		p := estimatePose(f)
		if math.IsNaN(p.Yaw) || math.IsNaN(p.Pitch) || math.IsNaN(p.Roll) {
			t.Errorf("NaN pose %+v for %+v", p, f)
		}
	}
}

func TestLandmarkConfidence(t *testing.T) {
	le, re := Point{-30, -30}, Point{30, -30}
	ml, mr := Point{-22, 35}, Point{22, 35}
	nose := Point{0, 10}
	cases := []struct {
		name     string
		f        Face
		min, max float64
	}{
		{"frontal", face5(0, le, re, nose, ml, mr), 0.999, 1},
		{"tilted", face5(25, le, re, nose, ml, mr), 0.999, 1},
		// Labels turn with the face, so upside down is still a face.
		{"upside down", face5(180, le, re, nose, ml, mr), 0.999, 1},
		{"eyes swapped", face5(0, re, le, nose, ml, mr), 0, 0},
		{"mouth above the eyes", face5(0, le, re, nose, Point{-22, -80}, Point{22, -80}), 0, 0},
		{"eyes far too close for the box", face5(0, Point{-5, -30}, Point{5, -30}, nose, ml, mr), 0, 0.01},
		{"nose at the mouth", face5(0, le, re, Point{0, 36}, ml, mr), 0, 0.6},
		{"nothing", Face{}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := landmarkConfidence(c.f); got < c.min || got > c.max {
				t.Errorf("confidence %.2f, want %.2f..%.2f", got, c.min, c.max)
			}
		})
	}
}

func TestSuppress(t *testing.T) {
	cands := []candidate{
		{center: Point{100, 100}, size: 100, score: 50},
		{center: Point{120, 90}, size: 40, score: 80},   // part of the first face, scores higher
		{center: Point{230, 100}, size: 100, score: 30}, // a second face beside it
		{center: Point{105, 95}, size: 110, score: 20},  // the first face at another angle
	}
	got := suppress(cands)
	if len(got) != 2 || got[0].score != 80 || got[1].score != 30 {
		t.Fatalf("suppress kept %+v", got)
	}
}
