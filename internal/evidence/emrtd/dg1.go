package emrtd

import (
	"errors"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// maxDG1Size bounds EF.DG1: the longest MRZ (90 characters) plus headers.
const maxDG1Size = 128

// mrzLayouts maps a DG1 MRZ length to its line length (Doc 9303 part 10,
// 4.7.1): TD1 3x30, TD2 2x36, TD3 2x44.
var mrzLayouts = map[int]int{90: 30, 72: 36, 88: 44}

// ParseDG1 parses EF.DG1: tag 0x61 holding exactly one 5F1F element, the
// MRZ as one run of 90, 72 or 88 characters, with no trailing bytes. The MRZ
// is split into its lines and validated by mrz.Parse (every check digit
// must hold); now resolves two-digit years. Errors are *Error with
// ReasonDG1Malformed whose detail names the MRZ field, never its value.
func ParseDG1(b []byte, now time.Time) (*mrz.Document, error) {
	if len(b) > maxDG1Size {
		return nil, errorf(ReasonDG1Malformed, "%d bytes exceeds the %d byte limit", len(b), maxDG1Size)
	}
	body, ok := readOnly(b, 0x61)
	if !ok {
		return nil, errorf(ReasonDG1Malformed, "not one tag 0x61 element")
	}
	text, ok := readOnly(body, 0x5F1F)
	if !ok {
		return nil, errorf(ReasonDG1Malformed, "tag 0x61 does not hold exactly one 5F1F element")
	}
	width, ok := mrzLayouts[len(text)]
	if !ok {
		return nil, errorf(ReasonDG1Malformed, "MRZ of %d characters, want 90, 72 or 88", len(text))
	}
	lines := make([]string, 0, 3)
	for i := 0; i < len(text); i += width {
		lines = append(lines, string(text[i:i+width]))
	}
	doc, err := mrz.Parse(strings.Join(lines, "\n"), now)
	if err != nil {
		return nil, &Error{Reason: ReasonDG1Malformed, Detail: mrzProblem(err)}
	}
	return doc, nil
}

// mrzProblem describes an mrz error by field and position only: the mrz
// messages may quote dates from the document.
func mrzProblem(err error) string {
	var fe *mrz.FormatError
	var ce *mrz.CheckError
	switch {
	case errors.As(err, &ce):
		return "check digit mismatch: " + ce.Field
	case errors.As(err, &fe) && fe.Field != "":
		return "bad field: " + fe.Field
	case errors.As(err, &fe):
		return "bad MRZ shape or character"
	default:
		return "unparsable MRZ"
	}
}
