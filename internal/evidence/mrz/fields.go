package mrz

import "strings"

// Field parsers. Each takes the raw field, the 1-based line and position of
// its first character (for errors), checks the field's Doc 9303 format and
// returns its value. The MRZ alphabet has been checked before they run.

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

// documentCode checks the two-character document code: first a letter from
// first (P for passports; A, C or I for TD1 and TD2 documents), then a letter
// or filler at the issuer's discretion.
func documentCode(f string, line int, first, kind string) (string, error) {
	if f[0] == 'V' {
		return "", formatErr(line, 1, FieldDocumentCode, "visa MRZs are not supported")
	}
	if !strings.Contains(first, f[:1]) {
		return "", formatErr(line, 1, FieldDocumentCode, "%s is not a %s document type (expected %s)",
			quoteByte(f[0]), kind, strings.Join(strings.Split(first, ""), ", "))
	}
	if !isLetter(f[1]) && f[1] != Filler {
		return "", formatErr(line, 2, FieldDocumentCode, "second character %s must be a letter or '<'", quoteByte(f[1]))
	}
	return strings.TrimRight(f, "<"), nil
}

// stateCode checks a three-character state or organisation code (Doc 9303
// Part 3): letters, right-padded with fillers, as in "D<<" for Germany.
func stateCode(f string, line, pos int, field string) (string, error) {
	code := strings.TrimRight(f, "<")
	if code == "" {
		return "", formatErr(line, pos, field, "the three-letter code is missing")
	}
	for i := 0; i < len(code); i++ {
		if !isLetter(code[i]) {
			return "", formatErr(line, pos+i, field, "%s is not allowed in a country code (letters, then '<' fillers)", quoteByte(code[i]))
		}
	}
	return code, nil
}

// name splits the name field (Doc 9303 Part 3): the primary identifier
// (surname), then "<<", then the secondary identifier (given names); the
// components of each are separated by one filler and the field is padded
// with fillers. Names hold letters only.
func name(f string, line, pos int) (string, []string, error) {
	for i := 0; i < len(f); i++ {
		if !isLetter(f[i]) && f[i] != Filler {
			return "", nil, formatErr(line, pos+i, FieldName, "%s is not allowed in a name (letters and '<' only)", quoteByte(f[i]))
		}
	}
	if f[0] == Filler {
		return "", nil, formatErr(line, pos, FieldName, "the name must start with the surname (primary identifier)")
	}
	t := strings.TrimRight(f, "<")
	sep := strings.Index(t, "<<")
	if sep < 0 {
		return strings.ReplaceAll(t, "<", " "), nil, nil
	}
	surname := strings.ReplaceAll(t[:sep], "<", " ")
	rest := t[sep+2:]
	if rest[0] == Filler {
		return "", nil, formatErr(line, pos+sep+2, FieldName, "more than two fillers between surname and given names")
	}
	if i := strings.Index(rest, "<<"); i >= 0 {
		return "", nil, formatErr(line, pos+sep+2+i, FieldName, "given names are separated by a single '<'")
	}
	return surname, strings.Split(rest, "<"), nil
}

// sex maps M, F and the filler (unspecified) to "M", "F" and "X".
func sex(c byte, line, pos int) (string, error) {
	switch c {
	case 'M', 'F':
		return string(c), nil
	case Filler:
		return "X", nil
	}
	return "", formatErr(line, pos, FieldSex, "%s is not M, F or '<'", quoteByte(c))
}

// date checks a YYMMDD field and resolves its century against today. Birth
// dates may have fillers for an unknown day, month and day, or all of it;
// expiry dates must be complete.
func date(f string, line, pos int, field string, today Date) (Date, error) {
	birth := field == FieldBirthDate
	var v [3]int
	unknown := false
	for k := 0; k < 3; k++ {
		a, b := f[2*k], f[2*k+1]
		switch {
		case isDigit(a) && isDigit(b) && !unknown:
			v[k] = int(a-'0')*10 + int(b-'0')
		case birth && a == Filler && b == Filler:
			unknown = true
			v[k] = -1
		case birth && unknown:
			return Date{}, formatErr(line, pos+2*k, field, "after an unknown year or month the rest of the date must be '<' too")
		case birth:
			return Date{}, formatErr(line, pos+2*k, field, "YYMMDD needs digits, or '<<' for an unknown part, found %s%s", quoteByte(a), quoteByte(b))
		default:
			return Date{}, formatErr(line, pos+2*k, field, "YYMMDD needs digits, found %s%s", quoteByte(a), quoteByte(b))
		}
	}
	var d Date
	if v[1] > 12 || v[1] == 0 {
		return Date{}, formatErr(line, pos+2, field, "month %02d does not exist", v[1])
	}
	if v[2] > 31 || v[2] == 0 {
		return Date{}, formatErr(line, pos+4, field, "day %02d does not exist", v[2])
	}
	if v[0] < 0 {
		return d, nil // wholly unknown
	}
	month, day := max(v[1], 0), max(v[2], 0)
	if birth {
		d.Year = birthYear(v[0], month, day, today)
	} else {
		d.Year = expiryYear(v[0], today)
	}
	d.Month, d.Day = month, day
	if day > 0 && day > daysIn(d.Year, month) {
		return Date{}, formatErr(line, pos+4, field, "%04d-%02d has no day %02d", d.Year, month, day)
	}
	return d, nil
}

// documentNumber checks the nine-character principal document number
// field: letters and digits, padded on the right with fillers. A filler
// inside the number is refused: it would let a misread '0' (value 0, like
// '<') pass the check digit.
func documentNumber(f string, line, pos int) (string, error) {
	n := strings.TrimRight(f, "<")
	if n == "" {
		return "", formatErr(line, pos, FieldDocumentNumber, "the document number is missing")
	}
	if i := strings.IndexByte(n, Filler); i >= 0 {
		return "", formatErr(line, pos+i, FieldDocumentNumber, "a filler '<' inside the document number")
	}
	return n, nil
}

// verify checks the check digit got (at line, pos) against data.
func verify(line, pos int, field string, got byte, data ...string) error {
	if !isDigit(got) {
		return formatErr(line, pos, field, "the check digit must be a digit, found %s", quoteByte(got))
	}
	if want := checkDigitOf(data...); want != got {
		return &CheckError{Line: line, Pos: pos, Field: field, Want: want, Got: got}
	}
	return nil
}
