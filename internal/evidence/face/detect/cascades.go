package detect

import (
	_ "embed"
	"fmt"
	"sync"

	pigo "github.com/esimov/pigo/core"
)

// The cascades are copied from the pigo module (see cascade/README.md) and
// embedded so that the binary needs no files at run time.
var (
	//go:embed cascade/facefinder
	faceFinderBin []byte
	//go:embed cascade/puploc
	puplocBin []byte
	//go:embed cascade/lps/lp93
	lp93Bin []byte // nose tip
	//go:embed cascade/lps/lp84
	lp84Bin []byte // mouth corner (image right; mirrored for image left)
)

// cascadeSet holds the unpacked classifiers. They are read-only after
// unpacking, so one set serves all goroutines.
type cascadeSet struct {
	face   *pigo.Pigo
	pupil  *pupCascade
	nose   *pupCascade
	mouthC *pupCascade
}

// loadCascades unpacks the embedded cascades once. pigo's face cascade
// unpacker indexes its input without bounds checks; the input is our own
// embedded file, and a test proves it unpacks. The pupil and landmark
// cascades are read by parsePupCascade (see pupCascade for why).
var loadCascades = sync.OnceValues(func() (*cascadeSet, error) {
	face, err := pigo.NewPigo().Unpack(faceFinderBin)
	if err != nil {
		return nil, fmt.Errorf("detect: facefinder cascade: %w", err)
	}
	unpack := func(name string, b []byte) (*pupCascade, error) {
		c, err := parsePupCascade(b)
		if err != nil {
			return nil, fmt.Errorf("detect: %s cascade: %w", name, err)
		}
		return c, nil
	}
	pupil, err := unpack("puploc", puplocBin)
	if err != nil {
		return nil, err
	}
	nose, err := unpack("lp93", lp93Bin)
	if err != nil {
		return nil, err
	}
	mouth, err := unpack("lp84", lp84Bin)
	if err != nil {
		return nil, err
	}
	return &cascadeSet{face: face, pupil: pupil, nose: nose, mouthC: mouth}, nil
})
