package face

import (
	"bytes"
	"errors"
	"fmt"
	"image"

	"github.com/vigil-gw/vigil/internal/evidence/face/detect"
	"github.com/vigil-gw/vigil/internal/evidence/face/facenet"
)

// Defaults. DefaultThreshold is the distance dlib and face-api.js use for
// "same person" (0.6); on the test faces it separates genuine from impostor
// pairs with room on both sides (docs/face-match.md, recomputed by
// TestEvaluation). DefaultMargin makes the band around it a person decides.
const (
	DefaultThreshold = 0.6
	DefaultMargin    = 0.05
	DefaultMaxBytes  = 10 << 20
	DefaultMaxPixels = 40 << 20
	// ChipSize is the aligned face the descriptor net takes.
	ChipSize = 150
)

// Config configures a Matcher. Net is required (facenet.LoadEmbedded).
type Config struct {
	Net       *facenet.Net
	Detect    detect.Options
	Threshold float32
	Margin    float32
	MaxBytes  int64
	MaxPixels int
}

// Matcher describes faces and compares them. It is safe for concurrent use.
type Matcher struct{ cfg Config }

// New checks cfg and fills its defaults.
func New(cfg Config) (*Matcher, error) {
	if cfg.Net == nil {
		return nil, errors.New("face: a descriptor net is required")
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if cfg.Margin == 0 {
		cfg.Margin = DefaultMargin
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxPixels == 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	switch {
	case cfg.Threshold <= 0 || cfg.Threshold >= 2:
		return nil, fmt.Errorf("face: threshold %v out of (0, 2)", cfg.Threshold)
	case cfg.Margin < 0 || cfg.Margin >= cfg.Threshold:
		return nil, fmt.Errorf("face: margin %v out of [0, threshold)", cfg.Margin)
	case cfg.MaxBytes < 0 || cfg.MaxPixels < 0:
		return nil, errors.New("face: negative image limits")
	}
	return &Matcher{cfg: cfg}, nil
}

// Threshold returns the decision threshold and the borderline margin.
func (m *Matcher) Threshold() (threshold, margin float32) { return m.cfg.Threshold, m.cfg.Margin }

// Probe is one described face.
type Probe struct {
	Face       detect.Face
	Descriptor [facenet.Dimensions]float32
}

// Describe decodes an image (JPEG or PNG, within the size limits, checked
// before decoding), finds exactly one usable face and describes it. Errors
// are *detect.Error with a reason and a message for people, or a facenet
// error.
func (m *Matcher) Describe(img []byte) (*Probe, error) {
	l, err := m.Locate(img)
	if err != nil {
		return nil, err
	}
	return m.DescribeLocated(l)
}

// DescribeImage is Describe for a decoded image.
func (m *Matcher) DescribeImage(im image.Image) (*Probe, error) {
	l, err := m.LocateImage(im)
	if err != nil {
		return nil, err
	}
	return m.DescribeLocated(l)
}

// DescribePortrait describes the largest face of an identity document's
// photo: a data page also carries a smaller "ghost" copy of the portrait,
// and security printing can look like faces to the detector.
func (m *Matcher) DescribePortrait(img []byte) (*Probe, error) {
	im, err := detect.DecodeLimited(bytes.NewReader(img), m.cfg.MaxBytes, m.cfg.MaxPixels)
	if err != nil {
		return nil, err
	}
	opts := m.cfg.Detect
	opts.Multiple = true
	faces, err := detect.Detect(im, opts)
	if err != nil {
		return nil, err
	}
	best := faces[0]
	for _, f := range faces[1:] {
		if f.Size() > best.Size() {
			best = f
		}
	}
	return m.DescribeLocated(&Located{Image: im, Face: best})
}

// Located is an image with its one face found but not yet described:
// detection is several times cheaper than the descriptor, so a caller
// looking at many frames (liveness) describes only the ones that decide.
type Located struct {
	Image image.Image
	Face  detect.Face
}

// Locate decodes an image within the limits and finds its one usable face.
func (m *Matcher) Locate(img []byte) (*Located, error) {
	im, err := detect.DecodeLimited(bytes.NewReader(img), m.cfg.MaxBytes, m.cfg.MaxPixels)
	if err != nil {
		return nil, err
	}
	return m.LocateImage(im)
}

// LocateImage is Locate for a decoded image.
func (m *Matcher) LocateImage(im image.Image) (*Located, error) {
	faces, err := detect.Detect(im, m.cfg.Detect)
	if err != nil {
		return nil, err
	}
	if len(faces) != 1 {
		// Detect enforces one face unless Options.Multiple is set.
		return nil, detect.ErrMultiple
	}
	return &Located{Image: im, Face: faces[0]}, nil
}

// DescribeLocated aligns the located face and computes its descriptor.
func (m *Matcher) DescribeLocated(l *Located) (*Probe, error) {
	chip := detect.Align(l.Image, l.Face, ChipSize)
	d, err := m.cfg.Net.Descriptor(chip)
	if err != nil {
		return nil, err
	}
	return &Probe{Face: l.Face, Descriptor: d}, nil
}

// Decision is the outcome of a comparison.
type Decision string

const (
	Match      Decision = "match"
	NoMatch    Decision = "no-match"
	Borderline Decision = "borderline" // within Margin of Threshold: a person decides
)

// Result is a comparison with the numbers behind it, for the evidence
// record and the reviewer.
type Result struct {
	Distance  float32  `json:"distance"`
	Threshold float32  `json:"threshold"`
	Margin    float32  `json:"margin"`
	Decision  Decision `json:"decision"`
}

// Compare decides whether two probes show the same person.
func (m *Matcher) Compare(a, b *Probe) Result {
	d := facenet.Distance(a.Descriptor, b.Descriptor)
	return Result{Distance: d, Threshold: m.cfg.Threshold, Margin: m.cfg.Margin, Decision: m.decide(d)}
}

func (m *Matcher) decide(d float32) Decision {
	switch {
	case d <= m.cfg.Threshold-m.cfg.Margin:
		return Match
	case d > m.cfg.Threshold+m.cfg.Margin:
		return NoMatch
	}
	return Borderline
}
