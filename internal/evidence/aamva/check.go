package aamva

import (
	"errors"
	"fmt"
	"time"
)

// Plausibility bounds used by Check.
const (
	MaxAge           = 130 // years; older holders are taken as a misread or forgery
	MinDrivingAge    = 14  // years at issue of a DL; the youngest learner permits in the USA
	requiredElements = "DCS DAC DBB DBA DBD DAQ DBC DAG DAI DAJ DAK DCF DCG"
)

// Check reports every internal inconsistency found, joined (errors.Join of *Error values), or nil.
// It proves consistency only: the barcode is not signed, so a forged payload can pass.
// now is the verifier's clock; only its calendar date is used.
func (l *License) Check(now time.Time) error {
	var errs []error
	add := func(element string, kind error, format string, args ...any) {
		errs = append(errs, errf(l.Type, element, kind, fmt.Sprintf(format, args...)))
	}
	for i := 0; i+3 <= len(requiredElements); i += 4 {
		id := requiredElements[i : i+3]
		if v, _ := l.getKnown(id, CountryUSA); v == "" {
			add(id, ErrMissing, "")
		}
	}
	today := DateOf(now)
	b, iss, exp := l.BirthDate, l.IssueDate, l.ExpiryDate
	if !iss.IsZero() && !exp.IsZero() && !iss.Before(exp) {
		add("DBA", ErrInconsistent, "expiry %s is not after issue %s", exp, iss)
	}
	if !b.IsZero() && !iss.IsZero() && !b.Before(iss) {
		add("DBB", ErrInconsistent, "birth %s is not before issue %s", b, iss)
	}
	if !iss.IsZero() && today.Before(iss) {
		add("DBD", ErrInconsistent, "issue date %s is in the future", iss)
	}
	if !b.IsZero() {
		if today.Before(b) {
			add("DBB", ErrInconsistent, "birth date %s is in the future", b)
		} else if age := yearsBetween(b, today); age > MaxAge {
			add("DBB", ErrInconsistent, "holder would be %d years old", age)
		}
		if l.Type == "DL" && !iss.IsZero() && b.Before(iss) && yearsBetween(b, iss) < MinDrivingAge {
			add("DBB", ErrInconsistent, "holder was %d at issue of a driving licence", yearsBetween(b, iss))
		}
	}
	if j, ok := LookupIIN(l.IIN); ok && l.Country != "" && l.Country != j.Country {
		add("DCG", ErrInconsistent, "country %s but IIN %s belongs to %s (%s)", l.Country, l.IIN, j.Name, j.Country)
	}
	for _, s := range l.layout.spans {
		if s.declOff != s.foundOff || s.declLen != s.foundLength {
			errs = append(errs, errf(s.typ, "", ErrInconsistent, fmt.Sprintf(
				"directory says offset %d length %d, data has offset %d length %d", s.declOff, s.declLen, s.foundOff, s.foundLength)))
		}
		if s.gap > 0 {
			errs = append(errs, errf(s.typ, "", ErrInconsistent, fmt.Sprintf("%d unexplained bytes before the subfile", s.gap)))
		}
	}
	if l.layout.trailing > 0 {
		errs = append(errs, errf("", "", ErrInconsistent, fmt.Sprintf("%d bytes after the last subfile", l.layout.trailing)))
	}
	return errors.Join(errs...)
}

// yearsBetween is the age at "to" of someone born on "from" (from must not be after to).
func yearsBetween(from, to Date) int {
	y := to.Year - from.Year
	if to.Month < from.Month || (to.Month == from.Month && to.Day < from.Day) {
		y--
	}
	return y
}
