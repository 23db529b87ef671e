package emrtd

import (
	"strings"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// mrzDiff returns the names of the fields where two MRZs disagree, in a
// fixed order. Both are already valid (check digits hold), so a difference
// is not OCR noise the check digits would have caught: it is a different
// document, a misread of an unprotected field (name, sex), or a forgery.
// Optional data is not compared: some states print it differently from DG1.
func mrzDiff(chip, printed *mrz.Document) []string {
	var diff []string
	cmp := func(field string, a, b string) {
		if a != b {
			diff = append(diff, field)
		}
	}
	cmp(mrz.FieldDocumentCode, chip.DocumentCode, printed.DocumentCode)
	cmp(mrz.FieldIssuingState, chip.IssuingState, printed.IssuingState)
	cmp(mrz.FieldName, normName(chip), normName(printed))
	cmp(mrz.FieldDocumentNumber, chip.DocumentNumber, printed.DocumentNumber)
	cmp(mrz.FieldNationality, chip.Nationality, printed.Nationality)
	cmp(mrz.FieldBirthDate, chip.BirthDate.String(), printed.BirthDate.String())
	cmp(mrz.FieldSex, chip.Sex, printed.Sex)
	cmp(mrz.FieldExpiryDate, chip.ExpiryDate.String(), printed.ExpiryDate.String())
	return diff
}

// normName joins surname and given names with single spaces, so component
// splitting and filler runs do not matter, only the letters and their order.
func normName(d *mrz.Document) string {
	parts := strings.Fields(d.Surname)
	parts = append(parts, "/")
	for _, g := range d.GivenNames {
		parts = append(parts, strings.Fields(g)...)
	}
	return strings.Join(parts, " ")
}

func joinFields(fields []string) string { return strings.Join(fields, ", ") }
