package aamva

import (
	"errors"
	"strings"
)

// Kinds of error, for errors.Is. Every error from Parse, Encode and Check is an *Error wrapping one.
var (
	ErrTooLarge     = errors.New("payload is larger than 64 KiB")
	ErrHeader       = errors.New("malformed header")
	ErrDirectory    = errors.New("malformed subfile directory")
	ErrSubfile      = errors.New("malformed subfile")
	ErrElement      = errors.New("malformed element")
	ErrDate         = errors.New("invalid date")
	ErrDateFormat   = errors.New("date format unknown: no DCG country and issuer not in the IIN table")
	ErrMissing      = errors.New("required element missing")
	ErrInconsistent = errors.New("inconsistent data")
	ErrInvalid      = errors.New("invalid licence")
)

// Error is a problem with one place in a payload. Its message is safe to show to the user: it names
// the place and the rule broken, e.g. "aamva: subfile DL: element DBB: invalid date: ...".
type Error struct {
	Subfile string // "DL", "ID", "ZV", ...; "" for the header and directory
	Element string // three-letter element id, or ""
	Kind    error  // one of the Err* values above
	Detail  string // what exactly is wrong, user-safe
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("aamva: ")
	if e.Subfile != "" {
		b.WriteString("subfile " + e.Subfile + ": ")
	}
	if e.Element != "" {
		b.WriteString("element " + e.Element + ": ")
	}
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

func errf(subfile, element string, kind error, detail string) *Error {
	return &Error{Subfile: subfile, Element: element, Kind: kind, Detail: detail}
}
