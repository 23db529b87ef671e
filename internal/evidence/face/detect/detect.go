package detect

import (
	"fmt"
	"image"
	"math"
	"sort"
)

// Detect finds the faces in img and locates their landmarks.
//
// It fails closed: with no face it returns face-none, with faces that are
// all smaller than Options.MinFaceSize face-too-small, and with more than one
// usable face face-multiple unless Options.Multiple is set. On success the
// faces are ordered largest first. A nil or empty image is image-malformed,
// one over Options.MaxPixels image-too-large.
func Detect(img image.Image, opts Options) ([]Face, error) {
	if img == nil {
		return nil, fail(ReasonMalformed, "no image")
	}
	o := opts.withDefaults()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, fail(ReasonMalformed, "empty image")
	}
	if w > o.MaxPixels || h > o.MaxPixels/w {
		return nil, fail(ReasonTooLarge, fmt.Sprintf("%dx%d is over %d pixels", w, h, o.MaxPixels))
	}
	cs, err := loadCascades()
	if err != nil {
		return nil, err
	}

	// Shrink big images by an integer factor k; plane pixel x covers source
	// pixels [k*x, k*x+k), whose centre is k*x + (k-1)/2.
	k := (max(w, h) + o.MaxDetectSide - 1) / o.MaxDetectSide
	p := shrink(toPlane(img), k)
	toSource := func(q Point) Point {
		return Point{
			X: float64(k)*q.X + float64(k-1)/2 + float64(b.Min.X),
			Y: float64(k)*q.Y + float64(k-1)/2 + float64(b.Min.Y),
		}
	}
	if p.w < 1 || p.h < 1 {
		return nil, fail(ReasonNone, "image too small to scan")
	}

	// Scan down to half the usable size, so that a face that is there but
	// too small is told apart from no face at all.
	minScan := max(minScanSize, o.MinFaceSize/(2*k))
	var faces []Face
	var small []candidate
	for _, c := range scan(cs, p, o, minScan, max(minScanSize, o.MinFaceSize/k)) {
		size := c.size * float64(k)
		if size < float64(o.MinFaceSize) {
			small = append(small, c)
			continue
		}
		pts := landmarks(cs, p, c)
		if !confirmed(cs, p, c, pts, o) {
			continue // not a face after all: see verify
		}
		center := toSource(c.center)
		f := Face{
			Box: image.Rect(
				int(math.Round(center.X-size/2)), int(math.Round(center.Y-size/2)),
				int(math.Round(center.X+size/2)), int(math.Round(center.Y+size/2)),
			),
			Score:      c.score,
			Angle:      c.angle * 180 / math.Pi,
			LeftEye:    toSource(pts.leftEye),
			RightEye:   toSource(pts.rightEye),
			Nose:       toSource(pts.nose),
			MouthLeft:  toSource(pts.mouthLeft),
			MouthRight: toSource(pts.mouthRight),
		}
		f.Pose = estimatePose(f)
		f.LandmarkConfidence = landmarkConfidence(f)
		faces = append(faces, f)
		if len(faces) > 1 && !o.Multiple {
			break // the answer is face-multiple; spare the other faces' landmarks
		}
	}
	switch {
	case len(faces) == 0 && anyConfirmed(cs, p, small, o):
		return nil, fail(ReasonTooSmall, fmt.Sprintf("faces below %d px", o.MinFaceSize))
	case len(faces) == 0:
		return nil, fail(ReasonNone, "")
	case len(faces) > 1 && !o.Multiple:
		return nil, fail(ReasonMultiple, "")
	}
	sort.SliceStable(faces, func(i, j int) bool { return faces[i].Size() > faces[j].Size() })
	return faces, nil
}

// anyConfirmed reports whether one of the small windows is a face, so that
// "move closer" is only said when there is a face to move. The first few
// (best-scoring) are enough.
func anyConfirmed(cs *cascadeSet, p plane, small []candidate, o Options) bool {
	for _, c := range small[:min(len(small), 3)] {
		if confirmed(cs, p, c, landmarks(cs, p, c), o) {
			return true
		}
	}
	return false
}
