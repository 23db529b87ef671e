package mrz

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Format is the MRZ layout of a document.
type Format int

const (
	TD1 Format = iota + 1 // ID card: 3 lines of 30
	TD2                   // 2 lines of 36
	TD3                   // passport: 2 lines of 44
)

func (f Format) String() string {
	switch f {
	case TD1:
		return "TD1"
	case TD2:
		return "TD2"
	case TD3:
		return "TD3"
	}
	return "unknown"
}

// Document is a parsed, valid MRZ. Text fields hold MRZ characters with the
// padding fillers removed.
type Document struct {
	Format       Format
	DocumentCode string // "P", "PD", "I", "ID", "AC", ...
	IssuingState string // "UTO", "D" (Germany), ...
	Surname      string // primary identifier; components joined by spaces
	GivenNames   []string
	// DocumentNumber is the full number, including a TD1/TD2 number longer
	// than nine characters that continues in the optional data.
	DocumentNumber string
	Nationality    string
	BirthDate      Date   // never after the 'now' given to Parse
	Sex            string // "M", "F", or "X" for unspecified ('<')
	ExpiryDate     Date   // within 50 years of the 'now' given to Parse
	// OptionalData1 is the TD3 personal number, or the TD1 line 1 / TD2
	// optional data after any document number continuation and its check
	// digit and filler. OptionalData2 is TD1 line 2's optional data.
	OptionalData1, OptionalData2 string
	// Lines is the normalised MRZ that was parsed.
	Lines []string
}

// String returns the normalised MRZ, one line per row.
func (d *Document) String() string { return strings.Join(d.Lines, "\n") }

// maxInput bounds the text Parse looks at: an MRZ is 90 characters, so
// anything much larger is not one and is refused before any work.
const maxInput = 1024

// Parse parses and validates an MRZ read by OCR. It accepts 2 or 3 lines
// separated by LF or CRLF, ignoring blank lines and whitespace around each
// line, or the whole MRZ run together on one line. Letters must be capitals:
// the MRZ is printed in upper case only, and lower case means the text is
// not a faithful read of one. now resolves the two-digit years.
//
// Errors are *FormatError for malformed text and *CheckError for a check
// digit mismatch; their messages can be shown to the user.
func Parse(text string, now time.Time) (*Document, error) {
	lines, err := normalise(text)
	if err != nil {
		return nil, err
	}
	d := &Document{Lines: lines}
	today := civil(now)
	switch d.Format = detect(lines); d.Format {
	case TD1:
		err = parseTD1(d, today)
	case TD2, TD3:
		err = parseTD23(d, today)
	default:
		return nil, shapeError(lines)
	}
	if err != nil {
		return nil, err
	}
	if d.BirthDate.Year != 0 && !d.ExpiryDate.after(d.BirthDate) {
		return nil, formatErr(2, 0, FieldExpiryDate, "expiry date %s is not after the birth date %s", d.ExpiryDate, d.BirthDate)
	}
	return d, nil
}

// normalise splits text into trimmed, non-blank lines and checks the MRZ
// alphabet, reporting the first bad character with its line and position.
func normalise(text string) ([]string, error) {
	if len(text) > maxInput {
		return nil, formatErr(0, 0, "", "the text is too long to be an MRZ (%d bytes)", len(text))
	}
	var lines []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, formatErr(0, 0, "", "no MRZ text found")
	}
	if len(lines) == 1 {
		// OCR or a text box may lose the line breaks; the lengths are unique.
		switch l := lines[0]; len(l) {
		case 88:
			lines = []string{l[:44], l[44:]}
		case 72:
			lines = []string{l[:36], l[36:]}
		case 90:
			lines = []string{l[:30], l[30:60], l[60:]}
		}
	}
	for n, l := range lines {
		for i := 0; i < len(l); i++ {
			if _, ok := charValue(l[i]); ok {
				continue
			}
			pos := utf8.RuneCountInString(l[:i]) + 1
			c := l[i]
			switch {
			case c >= 'a' && c <= 'z':
				return nil, formatErr(n+1, pos, "", "lower-case %s: the MRZ has capital letters only", quoteByte(c))
			case c >= utf8.RuneSelf:
				return nil, formatErr(n+1, pos, "", "non-ASCII character: the MRZ has only A-Z, 0-9 and '<'")
			}
			return nil, formatErr(n+1, pos, "", "%s is not an MRZ character (A-Z, 0-9 and '<' only)", quoteByte(c))
		}
	}
	return lines, nil
}

func detect(lines []string) Format {
	switch {
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		return TD1
	case len(lines) == 2 && len(lines[0]) == 36 && len(lines[1]) == 36:
		return TD2
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		return TD3
	}
	return 0
}

// shapeError explains why lines match no MRZ layout.
func shapeError(lines []string) error {
	const want = "an MRZ has 2 lines of 44 (passport, TD3), 2 lines of 36 (TD2) or 3 lines of 30 (ID card, TD1)"
	switch len(lines) {
	case 2:
		for _, n := range []int{44, 36} {
			if len(lines[0]) == n || len(lines[1]) == n {
				for i, l := range lines {
					if len(l) != n {
						return formatErr(i+1, 0, "", "%d characters where this layout needs %d; %s", len(l), n, want)
					}
				}
			}
		}
		return formatErr(1, 0, "", "%d characters; %s", len(lines[0]), want)
	case 3:
		for i, l := range lines {
			if len(l) != 30 {
				return formatErr(i+1, 0, "", "%d characters where a 3-line MRZ needs 30; %s", len(l), want)
			}
		}
	}
	return formatErr(0, 0, "", "%d lines; %s", len(lines), want)
}
