package detect

import (
	"errors"
	"image"
	"image/color"
	"math"
	"testing"
)

// TestDetectSingles: every one-person photo gives exactly one face whose
// landmarks are where a face's are.
func TestDetectSingles(t *testing.T) {
	for _, name := range singles(t) {
		t.Run(name, func(t *testing.T) {
			f := detectOne(t, load(t, name))
			for _, p := range []struct {
				what string
				pt   Point
			}{{"left eye", f.LeftEye}, {"right eye", f.RightEye}, {"nose", f.Nose}} {
				if !p.pt.in(f.Box) {
					t.Errorf("%s %v outside the box %v", p.what, p.pt, f.Box)
				}
			}
			if f.LeftEye.X >= f.RightEye.X {
				t.Errorf("left eye %v not left of right eye %v", f.LeftEye, f.RightEye)
			}
			eyes := mid(f.LeftEye, f.RightEye)
			if f.Nose.Y <= eyes.Y || mid(f.MouthLeft, f.MouthRight).Y <= f.Nose.Y {
				t.Errorf("not eyes above nose above mouth: eyes %v nose %v mouth %v %v", eyes, f.Nose, f.MouthLeft, f.MouthRight)
			}
			if f.MouthLeft.X >= f.MouthRight.X {
				t.Errorf("mouth corners swapped: %v %v", f.MouthLeft, f.MouthRight)
			}
			if f.LandmarkConfidence < 0.9 {
				t.Errorf("landmark confidence %.2f on a clear photo", f.LandmarkConfidence)
			}
			if f.Size() < 100 {
				t.Errorf("box %v: these crops hold faces about 140 px tall", f.Box)
			}
		})
	}
}

func TestDetectGroup(t *testing.T) {
	img := load(t, groupPhoto)
	_, err := Detect(img, Options{})
	if !errors.Is(err, ErrMultiple) {
		t.Fatalf("Detect on the group photo: %v, want %s", err, ReasonMultiple)
	}
	faces, err := Detect(img, Options{Multiple: true})
	if err != nil {
		t.Fatal(err)
	}
	// Six people face the camera in this photo; pigo finds all six and,
	// at the default MinScore, nothing else.
	if len(faces) != 6 {
		t.Fatalf("%d faces, want 6: %+v", len(faces), faces)
	}
	for i, f := range faces {
		if i > 0 && f.Size() > faces[i-1].Size() {
			t.Errorf("faces not ordered largest first")
		}
		if !f.LeftEye.in(f.Box) || !f.RightEye.in(f.Box) || f.LeftEye.X >= f.RightEye.X {
			t.Errorf("face %d: eyes %v %v, box %v", i, f.LeftEye, f.RightEye, f.Box)
		}
		for j := range i {
			if f.Box.Intersect(faces[j].Box).Dx()*f.Box.Intersect(faces[j].Box).Dy() > f.Box.Dx()*f.Box.Dy()/2 {
				t.Errorf("faces %d and %d overlap by more than half: %v %v", j, i, faces[j].Box, f.Box)
			}
		}
	}
}

func TestDetectFailures(t *testing.T) {
	face := load(t, "sheldon/sheldon1.png")
	blank := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range blank.Pix {
		blank.Pix[i] = 200
	}
	noise := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(i * 2654435761 >> 13)
	}
	cases := []struct {
		name string
		img  image.Image
		opts Options
		want Reason
	}{
		{"blank", blank, Options{}, ReasonNone},
		{"noise", noise, Options{}, ReasonNone},
		{"1x1", image.NewGray(image.Rect(0, 0, 1, 1)), Options{}, ReasonNone},
		{"tiny face", downscale(face, 3), Options{}, ReasonTooSmall},
		{"face below a raised minimum", face, Options{MinFaceSize: 300}, ReasonTooSmall},
		{"nil image", nil, Options{}, ReasonMalformed},
		{"empty image", image.NewGray(image.Rectangle{}), Options{}, ReasonMalformed},
		{"over the pixel limit", face, Options{MaxPixels: 100 * 100}, ReasonTooLarge},
		{"group", load(t, groupPhoto), Options{}, ReasonMultiple},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			faces, err := Detect(c.img, c.opts)
			if got := ReasonOf(err); got != c.want {
				t.Fatalf("reason %q (err %v, %d faces), want %q", got, err, len(faces), c.want)
			}
			if faces != nil {
				t.Errorf("faces returned beside an error")
			}
			if !errors.Is(err, &Error{Reason: c.want}) {
				t.Errorf("errors.Is does not match the reason")
			}
		})
	}
}

// TestDetectOffsetBounds: an image whose bounds do not start at (0, 0)
// (a SubImage) gives coordinates in its own bounds.
func TestDetectOffsetBounds(t *testing.T) {
	full := place(load(t, "penny/penny2.png"), 400, 300, 200, 100)
	sub := full.SubImage(image.Rect(150, 50, 400, 300))
	a, b := detectOne(t, full), detectOne(t, sub)
	// The scan grid starts at the image's corner, so the windows differ
	// by a step or so.
	if d := a.Box.Min.Sub(b.Box.Min); max(d.X, -d.X, d.Y, -d.Y) > 4 {
		t.Errorf("box %v in the full image, %v in the sub-image", a.Box, b.Box)
	}
	if d := a.LeftEye.dist(b.LeftEye); d > 4 {
		t.Errorf("left eye %v vs %v", a.LeftEye, b.LeftEye)
	}
}

// TestDetectRotated: a head tilted by 15 degrees is still found, and Roll
// follows the tilt.
func TestDetectRotated(t *testing.T) {
	for _, name := range []string{"sheldon/sheldon1.png", "penny/penny4.png", "howard/howard3.png"} {
		for _, deg := range []float64{15, -15, 30} {
			img := load(t, name)
			base := detectOne(t, img)
			faces, err := Detect(rotate(img, deg), Options{})
			if err != nil || len(faces) != 1 {
				t.Errorf("%s turned %v degrees: %d faces, %v", name, deg, len(faces), err)
				continue
			}
			f := faces[0]
			if d := f.Pose.Roll - base.Pose.Roll; math.Abs(d-deg) > 5 {
				t.Errorf("%s turned %v degrees: roll %.1f -> %.1f", name, deg, base.Pose.Roll, f.Pose.Roll)
			}
			if math.Abs(base.Pose.Roll) < 3 && math.Abs(f.Pose.Roll-deg) > 5 {
				t.Errorf("%s turned %v degrees: roll %.1f", name, deg, f.Pose.Roll)
			}
		}
	}
}

// TestDetectMirrored: a mirrored photo turns the head the other way.
func TestDetectMirrored(t *testing.T) {
	n := 0
	for _, name := range singles(t) {
		img := load(t, name)
		f := detectOne(t, img)
		if math.Abs(f.Pose.Yaw) < 12 {
			continue // too near frontal for the sign to be sure
		}
		n++
		m := detectOne(t, mirror(img))
		if math.Signbit(m.Pose.Yaw) == math.Signbit(f.Pose.Yaw) || math.Abs(m.Pose.Yaw+f.Pose.Yaw) > 12 {
			t.Errorf("%s: yaw %.1f, mirrored %.1f", name, f.Pose.Yaw, m.Pose.Yaw)
		}
		if math.Abs(m.Pose.Roll+f.Pose.Roll) > 4 {
			t.Errorf("%s: roll %.1f, mirrored %.1f", name, f.Pose.Roll, m.Pose.Roll)
		}
	}
	if n < 3 {
		t.Fatalf("only %d photos with a clearly turned head: the test proves nothing", n)
	}
}

// TestDetectWebcamFrame: a face in a 640x480 frame, as the capture page
// sends, is found where it was put.
func TestDetectWebcamFrame(t *testing.T) {
	img := load(t, "howard/howard4.png")
	want := detectOne(t, img)
	f := detectOne(t, place(img, 640, 480, 300, 200))
	if d := f.LeftEye.dist(want.LeftEye.add(Point{300, 200})); d > 4 {
		t.Errorf("left eye at %v, want about %v", f.LeftEye, want.LeftEye.add(Point{300, 200}))
	}
}

// TestDetectBigImage: an image larger than MaxDetectSide is shrunk for the
// scan, and the coordinates still come back in source pixels.
func TestDetectBigImage(t *testing.T) {
	img := load(t, "penny/penny2.png")
	small := detectOne(t, place(img, 300, 300, 100, 50))
	big := detectOne(t, place(img, 300, 300, 100, 50))
	_ = big
	// Enlarge by 4 with nearest-neighbour: 1200x1200 > 1024, so k = 2.
	up := image.NewRGBA(image.Rect(0, 0, 1200, 1200))
	src := place(img, 300, 300, 100, 50)
	for y := range 1200 {
		for x := range 1200 {
			up.Set(x, y, src.At(x/4, y/4))
		}
	}
	f := detectOne(t, up)
	scaled := Point{small.LeftEye.X*4 + 1.5, small.LeftEye.Y*4 + 1.5}
	if d := f.LeftEye.dist(scaled); d > 12 {
		t.Errorf("left eye at %v in the enlarged image, want about %v", f.LeftEye, scaled)
	}
	if r := float64(f.Size()) / float64(small.Size()); r < 3.5 || r > 4.5 {
		t.Errorf("box %v vs %v: not four times the size", f.Box, small.Box)
	}
}

func TestReasonMessages(t *testing.T) {
	for _, r := range []Reason{ReasonNone, ReasonMultiple, ReasonTooSmall, ReasonTooLarge, ReasonMalformed} {
		m := r.Message()
		if m == "" || m == Reason("unknown").Message() {
			t.Errorf("%s has no message of its own", r)
		}
	}
	if ReasonOf(errors.New("other")) != "" {
		t.Error("ReasonOf of a foreign error")
	}
	err := fail(ReasonNone, "detail")
	if err.Error() != "detect: face-none: detail" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{ScaleFactor: 0.5, ShiftFactor: 2, NoRotation: true}.withDefaults()
	d := DefaultOptions()
	if o.ScaleFactor != d.ScaleFactor || o.ShiftFactor != d.ShiftFactor || o.Angles != nil || o.MinFaceSize != d.MinFaceSize {
		t.Errorf("withDefaults: %+v", o)
	}
	// Colour and grey give the same luma plane.
	rgba := image.NewRGBA(image.Rect(0, 0, 2, 1))
	rgba.Set(0, 0, color.RGBA{200, 100, 50, 255})
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.Set(0, 0, rgba.At(0, 0))
	if a, b := toPlane(rgba).pix[0], toPlane(gray).pix[0]; absDiff(a, b) > 1 {
		t.Errorf("luma %d from RGBA, %d from Gray", a, b)
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestDetectConcurrent: one set of cascades serves concurrent callers (run
// with -race; pigo keeps sync.Pools inside).
func TestDetectConcurrent(t *testing.T) {
	names := singles(t)[:4]
	imgs := make([]image.Image, len(names))
	want := make([]image.Rectangle, len(names))
	for i, n := range names {
		imgs[i] = load(t, n)
		want[i] = detectOne(t, imgs[i]).Box
	}
	errs := make(chan error, len(names)*3)
	for range 3 {
		for i := range imgs {
			go func() {
				faces, err := Detect(imgs[i], Options{})
				if err == nil && faces[0].Box != want[i] {
					err = errors.New(names[i] + ": box differs when run concurrently")
				}
				errs <- err
			}()
		}
	}
	for range len(names) * 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
