package detect

import "math"

// landmarkConfidence scores, in [0, 1], how well the landmarks fit a
// frontal-ish face inside the detection box. Each check is a ratio with a
// range seen on real faces (the test photos, with room for turned and tilted
// heads); inside the range it scores 1, and it falls linearly to 0 over the
// given margin outside. The result is the weakest check.
func landmarkConfidence(f Face) float64 {
	ipd := f.LeftEye.dist(f.RightEye)
	size := float64(f.Size())
	if ipd == 0 || size == 0 {
		return 0
	}
	eyes := mid(f.LeftEye, f.RightEye)
	mouth := mid(f.MouthLeft, f.MouthRight)
	em := eyes.dist(mouth)
	conf := 1.0
	check := func(v, lo, hi, margin float64) {
		switch {
		case v < lo:
			conf = math.Min(conf, math.Max(0, 1-(lo-v)/margin))
		case v > hi:
			conf = math.Min(conf, math.Max(0, 1-(v-hi)/margin))
		}
	}
	check(ipd/size, 0.25, 0.55, 0.1)                         // eye distance to face size
	check(em/ipd, 0.9, 1.7, 0.4)                             // eyes to mouth
	check(f.MouthLeft.dist(f.MouthRight)/ipd, 0.5, 1.4, 0.4) // mouth width
	check(eyes.dist(f.Nose)/em, 0.35, 0.9, 0.2)              // nose between eyes and mouth
	// The mouth must be below the eyes in the face's own frame: the
	// direction eyes->mouth is the eye line turned clockwise by 90 degrees.
	ex, ey := f.RightEye.X-f.LeftEye.X, f.RightEye.Y-f.LeftEye.Y
	down := ((mouth.X-eyes.X)*-ey + (mouth.Y-eyes.Y)*ex) / (ipd * em)
	check(down, 0.8, 1, 0.3)
	return conf
}
