package detect

// Options tunes Detect. The zero value means "use the defaults"; each field
// left at zero takes the value of DefaultOptions.
type Options struct {
	// MinFaceSize is the smallest face box side, in source pixels, that
	// counts as a usable face. Smaller faces alone give face-too-small; beside
	// a usable face they are ignored (a face in the background far behind the
	// subject does not make a selfie ambiguous). Default 80: at that size the
	// 150x150 chip for the descriptor is barely upsampled.
	MinFaceSize int

	// Multiple returns every usable face instead of failing with
	// face-multiple when there is more than one.
	Multiple bool

	// ScaleFactor is the growth of the scanning window from one scale to the
	// next (pigo's ScaleFactor); ShiftFactor the step between windows as a
	// fraction of the window (pigo's ShiftFactor). Smaller is slower and
	// finds more. Defaults 1.1 and 0.1 (pigo's recommendation).
	ScaleFactor, ShiftFactor float64

	// MinScore is the least summed cascade score of a window cluster that
	// counts as a face. The sum grows with the number of windows that fire,
	// so it depends on ScaleFactor and ShiftFactor; the default 15 was
	// chosen on the test photos at the default factors: the weakest real
	// face scored 19 upright, the group photo's one false positive 11
	// upright and 24 at -15 degrees. That one is caught later: a face must
	// also be confirmed at 1.5 x MinScore along its own eye line (see
	// confirmed in verify.go).
	MinScore float32

	// Angles are the in-plane rotations (degrees) the scan tries on top of
	// upright. Pigo's cascade tolerates less than +-10 degrees by itself;
	// the default adds +-15 and +-30, so heads tilted by up to about 35
	// degrees are found (on the test photos: every one tilted by 15 and 30
	// degrees but the one pigo only just finds upright). The rotated scans
	// skip windows below MinFaceSize, so together they cost about as much
	// as the upright one. Set NoRotation to scan upright only.
	Angles     []float64
	NoRotation bool

	// MaxDetectSide bounds the longer side of the plane the detector scans:
	// larger images are shrunk by an integer factor first, so a 12-megapixel
	// photo costs about what a 1-megapixel one does. Landmarks are found on
	// the shrunk plane too. Default 1024.
	MaxDetectSide int

	// MaxPixels refuses images with more pixels (image-too-large), for
	// callers that decoded without DecodeLimited. Default 40 megapixels.
	MaxPixels int
}

// DefaultOptions returns the defaults the zero Options stands for.
func DefaultOptions() Options {
	return Options{
		MinFaceSize:   80,
		ScaleFactor:   1.1,
		ShiftFactor:   0.1,
		MinScore:      15,
		Angles:        []float64{-15, 15, -30, 30},
		MaxDetectSide: 1024,
		MaxPixels:     40 << 20,
	}
}

// withDefaults fills zero fields from DefaultOptions and clamps values that
// would make the scan loop forever or do nothing.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MinFaceSize <= 0 {
		o.MinFaceSize = d.MinFaceSize
	}
	if o.ScaleFactor <= 1 {
		o.ScaleFactor = d.ScaleFactor
	}
	if o.ShiftFactor <= 0 || o.ShiftFactor > 1 {
		o.ShiftFactor = d.ShiftFactor
	}
	if o.MinScore <= 0 {
		o.MinScore = d.MinScore
	}
	if o.Angles == nil {
		o.Angles = d.Angles
	}
	if o.NoRotation {
		o.Angles = nil
	}
	if o.MaxDetectSide <= 0 {
		o.MaxDetectSide = d.MaxDetectSide
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = d.MaxPixels
	}
	return o
}
