package mrz

import (
	"errors"
	"strings"
	"time"
)

// Distance is the Levenshtein distance (insertions, deletions and
// substitutions of one character) between two MRZ texts, after dropping
// line breaks, blank lines and the whitespace around each line. It costs
// O(len(a)*len(b)) time, so callers bound their inputs (Parse refuses more
// than 1 KiB).
func Distance(a, b string) int {
	ra, rb := []rune(flatten(a)), []rune(flatten(b))
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	row := make([]int, len(rb)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		diag := row[0]
		row[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			up := row[j]
			row[j] = min(row[j]+1, row[j-1]+1, diag+cost)
			diag = up
		}
	}
	return row[len(rb)]
}

// flatten joins the trimmed, non-blank lines of s.
func flatten(s string) string {
	var b strings.Builder
	for l := range strings.SplitSeq(s, "\n") {
		b.WriteString(strings.TrimSpace(l))
	}
	return b.String()
}

// AcceptCorrection validates an MRZ the user typed to fix a misread one. It
// parses corrected like Parse (every check digit must hold) and refuses it,
// with a *CorrectionError, when it differs from the OCR text by more than
// maxEdits single-character edits: a correction may fix what the camera
// misread, not replace the document the image shows.
//
// Small edits can still change an identity field (a birth date digit plus
// its check digit and the composite is three edits), so the caller must
// still compare the result with the visual zone or the chip.
func AcceptCorrection(ocr, corrected string, maxEdits int, now time.Time) (*Document, error) {
	if maxEdits < 0 {
		return nil, errors.New("mrz: maxEdits must not be negative")
	}
	d, err := Parse(corrected, now)
	if err != nil {
		return nil, err
	}
	if len(ocr) > maxInput {
		return nil, &FormatError{Reason: "the scanned text is too long to be an MRZ"}
	}
	if n := Distance(ocr, strings.Join(d.Lines, "\n")); n > maxEdits {
		return nil, &CorrectionError{Distance: n, MaxEdits: maxEdits}
	}
	return d, nil
}
