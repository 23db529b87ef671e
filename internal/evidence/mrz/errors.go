package mrz

import (
	"fmt"
	"strings"
)

// Field names used in errors.
const (
	FieldDocumentCode   = "document_code"
	FieldIssuingState   = "issuing_state"
	FieldName           = "name"
	FieldDocumentNumber = "document_number"
	FieldNationality    = "nationality"
	FieldBirthDate      = "birth_date"
	FieldSex            = "sex"
	FieldExpiryDate     = "expiry_date"
	FieldOptionalData   = "optional_data"
	FieldComposite      = "composite"
)

// FormatError reports MRZ text that is not well-formed: wrong shape, a
// character outside the alphabet, or a field that breaks its Doc 9303
// format. Its message is safe to show to the user.
type FormatError struct {
	Line   int    // 1-based; 0 when the error concerns the whole text
	Pos    int    // 1-based position in the line; 0 when it concerns the whole line
	Field  string // one of the Field constants, or "" for shape errors
	Reason string
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("mrz: ")
	switch {
	case e.Line > 0 && e.Pos > 0:
		fmt.Fprintf(&b, "line %d, position %d: ", e.Line, e.Pos)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(humanField(e.Field))
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// CheckError reports a check digit that does not match the data it covers:
// the text is well-formed but was most likely misread (or altered).
type CheckError struct {
	Line  int    // 1-based line of the check digit
	Pos   int    // 1-based position of the check digit
	Field string // FieldDocumentNumber, FieldBirthDate, FieldExpiryDate, FieldOptionalData or FieldComposite
	Want  byte   // the check digit computed from the data
	Got   byte   // the check digit found in the MRZ
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("mrz: line %d: %s check digit is %c, computed %c (the MRZ was probably misread)",
		e.Line, humanField(e.Field), e.Got, e.Want)
}

// CorrectionError reports a correction that strays too far from what the
// OCR read off the document image.
type CorrectionError struct {
	Distance, MaxEdits int
}

func (e *CorrectionError) Error() string {
	return fmt.Sprintf("mrz: the correction changes %d characters of the scanned MRZ; at most %d may differ from the document image",
		e.Distance, e.MaxEdits)
}

func humanField(f string) string {
	switch f {
	case FieldOptionalData:
		return "optional data"
	}
	return strings.ReplaceAll(f, "_", " ")
}

func formatErr(line, pos int, field, format string, args ...any) *FormatError {
	return &FormatError{Line: line, Pos: pos, Field: field, Reason: fmt.Sprintf(format, args...)}
}
