package aamva

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Printed is what the front of the card shows, as the verifier read it (by OCR, from the user, or
// from a reviewer). A zero field is not compared: fill only what was actually read.
type Printed struct {
	FamilyName     string
	GivenNames     string // first and middle names as printed, in order
	DocumentNumber string
	DateOfBirth    Date
	DateOfExpiry   Date
	DateOfIssue    Date
	Sex            Sex // SexAbsent: not compared
}

// Reasons CrossCheck returns: "printed-mismatch:" plus the field name. They name the field only,
// never a value, so they may be logged and shown.
const (
	MismatchFamilyName     = "printed-mismatch:family_name"
	MismatchGivenNames     = "printed-mismatch:given_names"
	MismatchDocumentNumber = "printed-mismatch:document_number"
	MismatchDateOfBirth    = "printed-mismatch:date_of_birth"
	MismatchDateOfExpiry   = "printed-mismatch:date_of_expiry"
	MismatchDateOfIssue    = "printed-mismatch:date_of_issue"
	MismatchSex            = "printed-mismatch:sex"
)

// CrossCheck compares the barcode with the printed data and returns one reason per field that does
// not match (none: everything compared agrees). NIST SP 800-63A asks for this comparison: a forger
// who reprints one side of a card rarely gets the other to agree.
//
// Names and numbers are compared after normalisation: case, diacritics (É = E, ß = SS) and every
// character other than letters and digits (spaces, hyphens, apostrophes, periods, commas) are
// ignored. When the barcode flags a name as truncated (DDE, DDF, DDG = T) a printed name that starts
// with the barcode's name matches. Printed given names match the barcode's first name followed by
// its middle names, or the first name alone (cards that print no middle name). An element the
// barcode lacks cannot confirm a printed value: that is a mismatch too. A printed name or number
// with no letter or digit in it is treated as not read.
func CrossCheck(l *License, p Printed) []string {
	var out []string
	if fold(p.FamilyName) != "" && !nameMatches(l.FamilyName, l.FamilyTrunc == Truncated, p.FamilyName) {
		out = append(out, MismatchFamilyName)
	}
	if fold(p.GivenNames) != "" && !givenMatches(l, p.GivenNames) {
		out = append(out, MismatchGivenNames)
	}
	if fold(p.DocumentNumber) != "" && (l.Number == "" || fold(l.Number) != fold(p.DocumentNumber)) {
		out = append(out, MismatchDocumentNumber)
	}
	for _, d := range []struct {
		printed, barcode Date
		reason           string
	}{
		{p.DateOfBirth, l.BirthDate, MismatchDateOfBirth},
		{p.DateOfExpiry, l.ExpiryDate, MismatchDateOfExpiry},
		{p.DateOfIssue, l.IssueDate, MismatchDateOfIssue},
	} {
		if !d.printed.IsZero() && d.printed != d.barcode {
			out = append(out, d.reason)
		}
	}
	if p.Sex != SexAbsent && p.Sex != l.Sex {
		out = append(out, MismatchSex)
	}
	return out
}

func nameMatches(barcode string, truncated bool, printed string) bool {
	b, p := fold(barcode), fold(printed)
	if b == "" {
		return false
	}
	return b == p || truncated && strings.HasPrefix(p, b)
}

func givenMatches(l *License, printed string) bool {
	p, first := fold(printed), fold(l.FirstName)
	switch {
	case first == "":
		return false
	case l.FirstTrunc == Truncated:
		// Where the printed first name ends is unknown: what follows may be its rest or middle names.
		return strings.HasPrefix(p, first)
	case p == first:
		return true
	}
	middle := fold(l.MiddleName)
	if middle == "" || !strings.HasPrefix(p, first) {
		return false
	}
	rest := p[len(first):]
	return rest == middle || l.MiddleTrunc == Truncated && strings.HasPrefix(rest, middle)
}

// special lists letters that do not decompose into a base letter and marks.
var special = map[rune]string{'ß': "SS", 'Æ': "AE", 'æ': "AE", 'Œ': "OE", 'œ': "OE", 'Ø': "O", 'ø': "O",
	'Ł': "L", 'ł': "L", 'Đ': "D", 'đ': "D", 'Þ': "TH", 'þ': "TH", 'ı': "I"}

// fold keeps the letters and digits of s, upper case, without diacritics.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case special[r] != "":
			b.WriteString(special[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteString(strings.ToUpper(string(r)))
		}
		// Marks (Mn) left by NFD, spaces, hyphens and punctuation are dropped.
	}
	return b.String()
}
