package detect

import (
	"testing"

	pigo "github.com/esimov/pigo/core"
)

// TestPupCascadeMatchesPigo: the package's evaluator of pigo's pupil and
// landmark cascades finds the points pigo's own PuplocCascade finds, within
// pigo's run-to-run jitter (its starts are random: a few pixels).
func TestPupCascadeMatchesPigo(t *testing.T) {
	cs, err := loadCascades()
	if err != nil {
		t.Fatal(err)
	}
	unpack := func(b []byte) *pigo.PuplocCascade {
		c, err := pigo.NewPuplocCascade().UnpackCascade(b)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pupil, mouth, nose := unpack(puplocBin), unpack(lp84Bin), unpack(lp93Bin)
	const tolerance = 4.0 // patch pixels; a face window is 128 of them
	var sum float64
	n := 0
	for _, name := range singles(t) {
		p := toPlane(load(t, name))
		o := Options{}.withDefaults()
		cands := scan(cs, p, o, 40, 80)
		if len(cands) == 0 {
			t.Fatalf("%s: no face", name)
		}
		c := cands[0]
		q := resample(p, frame{center: c.center, angle: c.angle, scale: c.size / patchFace, w: 2 * patchFace, h: 2 * patchFace})
		ours := patchLandmarks(cs, q)

		ip := pigo.ImageParams{Pixels: q.pix, Rows: q.h, Cols: q.w, Dim: q.w}
		s := float32(patchFace)
		eye := func(dc float32) *pigo.Puploc {
			return pupil.RunDetector(pigo.Puploc{
				Row: q.h/2 - int(0.075*s), Col: q.w/2 + int(dc*s), Scale: 0.25 * s, Perturbs: 63,
			}, ip, 0, false)
		}
		le, re := eye(-0.175), eye(0.175)
		at := func(l *pigo.Puploc) Point { return Point{float64(l.Col), float64(l.Row)} }
		theirs := points{
			leftEye:    at(le),
			rightEye:   at(re),
			nose:       mid(at(nose.GetLandmarkPoint(le, re, ip, 63, false)), at(nose.GetLandmarkPoint(le, re, ip, 63, true))),
			mouthLeft:  at(mouth.GetLandmarkPoint(le, re, ip, 63, false)),
			mouthRight: at(mouth.GetLandmarkPoint(le, re, ip, 63, true)),
		}
		for _, pair := range []struct {
			what      string
			our, thei Point
		}{
			{"left eye", ours.leftEye, theirs.leftEye},
			{"right eye", ours.rightEye, theirs.rightEye},
			{"nose", ours.nose, theirs.nose},
			{"mouth left", ours.mouthLeft, theirs.mouthLeft},
			{"mouth right", ours.mouthRight, theirs.mouthRight},
		} {
			d := pair.our.dist(pair.thei)
			sum += d
			n++
			if d > tolerance {
				t.Errorf("%s %s: ours %.1f, pigo's %.1f", name, pair.what, pair.our, pair.thei)
			}
		}
	}
	if mean := sum / float64(n); mean > 1.5 {
		t.Errorf("mean distance to pigo's points %.2f px, want about its jitter (1 px)", mean)
	}
}

// TestParsePupCascade: a damaged cascade is an error, not a panic.
func TestParsePupCascade(t *testing.T) {
	good := puplocBin
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header only", good[:16]},
		{"one byte short", good[:len(good)-1]},
		{"one byte long", append(append([]byte{}, good...), 0)},
		{"zero depth", append([]byte{5, 0, 0, 0, 0, 0, 0x80, 0x3f, 20, 0, 0, 0, 0, 0, 0, 0}, good[16:]...)},
		{"huge depth", append([]byte{5, 0, 0, 0, 0, 0, 0x80, 0x3f, 20, 0, 0, 0, 40, 0, 0, 0}, good[16:]...)},
	} {
		if _, err := parsePupCascade(c.b); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := parsePupCascade(good); err != nil {
		t.Fatal(err)
	}
}
