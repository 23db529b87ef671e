package aamva

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

const (
	headerLen = 21 // "@\n\x1e\r" + file type (5) + IIN (6) + version (2) + jurisdiction version (2) + entries (2)
	entryLen  = 10 // type (2) + offset (4) + length (4)
	prefix    = "@\n\x1e\r"
)

// Parse reads a decoded PDF417 payload. It checks the format of every element it reads but not
// the consistency between them: call Check for that. Errors are *Error values.
func Parse(payload []byte) (*License, error) {
	if len(payload) > MaxPayload {
		return nil, errf("", "", ErrTooLarge, fmt.Sprintf("%d bytes", len(payload)))
	}
	l := &License{}
	n, err := l.parseHeader(payload)
	if err != nil {
		return nil, err
	}
	dirEnd := headerLen + n*entryLen
	if len(payload) < dirEnd {
		return nil, errf("", "", ErrDirectory, fmt.Sprintf("%d entries announced, payload ends first", n))
	}
	var main []Element
	cursor := dirEnd
	for i := range n {
		e := payload[headerLen+i*entryLen : headerLen+(i+1)*entryLen]
		typ := string(e[:2])
		if !validType(typ) {
			return nil, errf("", "", ErrDirectory, fmt.Sprintf("entry %d: subfile type %q is not DL, ID or Z plus a letter", i+1, typ))
		}
		if !allDigits(string(e[2:])) {
			return nil, errf("", "", ErrDirectory, fmt.Sprintf("entry %d: offset and length must be digits", i+1))
		}
		sp := span{typ: typ, declOff: atoi(string(e[2:6])), declLen: atoi(string(e[6:10]))}
		// Trust the directory when it points at the subfile; otherwise take the subfile where the
		// previous one ended (issuers often get offsets wrong). Never go back: subfiles must not
		// overlap. Check reports any difference and any bytes skipped.
		start := cursor
		if sp.declOff >= cursor && sp.declOff+2 <= len(payload) && string(payload[sp.declOff:sp.declOff+2]) == typ {
			start = sp.declOff
		}
		if start+2 > len(payload) || string(payload[start:start+2]) != typ {
			return nil, errf(typ, "", ErrSubfile, fmt.Sprintf("not found at offset %d", start))
		}
		end := bytes.IndexByte(payload[start:], '\r')
		if end < 0 {
			return nil, errf(typ, "", ErrSubfile, "no segment terminator (CR)")
		}
		end += start
		sp.foundOff, sp.foundLength, sp.gap = start, end+1-start, start-cursor
		l.layout.spans = append(l.layout.spans, sp)
		cursor = end + 1
		elems, err := parseElements(typ, payload[start+2:end])
		if err != nil {
			return nil, err
		}
		if typ == "DL" || typ == "ID" {
			if l.Type != "" {
				return nil, errf(typ, "", ErrSubfile, "a second DL or ID subfile")
			}
			l.Type, main = typ, elems
			continue
		}
		l.Jurisdiction = append(l.Jurisdiction, Subfile{Type: typ, Elements: elems})
	}
	l.layout.trailing = len(payload) - cursor
	if l.Type == "" {
		return nil, errf("", "", ErrDirectory, "no DL or ID subfile")
	}
	if err := l.fill(main); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *License) parseHeader(p []byte) (int, error) {
	if len(p) < headerLen {
		return 0, errf("", "", ErrHeader, "shorter than 21 bytes")
	}
	if string(p[:4]) != prefix {
		return 0, errf("", "", ErrHeader, "does not start with @ LF RS CR")
	}
	switch string(p[4:9]) {
	case "ANSI ":
		l.FileType = "ANSI"
	case "AAMVA":
		l.FileType = "AAMVA"
	default:
		return 0, errf("", "", ErrHeader, "file type is not ANSI or AAMVA")
	}
	h := string(p[9:headerLen])
	if !allDigits(h) {
		return 0, errf("", "", ErrHeader, "IIN, versions and entry count must be digits")
	}
	l.IIN = h[0:6]
	l.Version, l.JurisdictionVersion = atoi(h[6:8]), atoi(h[8:10])
	if l.Version < 2 {
		// Versions 00 and 01 have no jurisdiction version field: a different header layout.
		return 0, errf("", "", ErrHeader, fmt.Sprintf("AAMVA version %02d is not supported (02 or later)", l.Version))
	}
	n := atoi(h[10:12])
	if n < 1 {
		return 0, errf("", "", ErrHeader, "no subfiles")
	}
	return n, nil
}

func validType(t string) bool {
	if t == "DL" || t == "ID" {
		return true
	}
	return len(t) == 2 && t[0] == 'Z' && t[1] >= 'A' && t[1] <= 'Z'
}

// parseElements splits a subfile body (after its type, before its CR) into elements.
func parseElements(typ string, body []byte) ([]Element, error) {
	// Some issuers end the last element with LF before the CR.
	body = bytes.TrimSuffix(body, []byte{'\n'})
	if len(body) == 0 {
		return nil, nil
	}
	var out []Element
	seen := map[string]bool{}
	for line := range bytes.SplitSeq(body, []byte{'\n'}) {
		if len(line) < 3 || !validID(string(line[:3])) {
			return nil, errf(typ, "", ErrElement, fmt.Sprintf("%q does not start with a three-character element id", clip(line)))
		}
		id := string(line[:3])
		if seen[id] {
			return nil, errf(typ, id, ErrElement, "appears twice")
		}
		seen[id] = true
		v := decodeValue(bytes.TrimRight(line[3:], " "))
		if err := checkValue([]byte(v)); err != nil {
			return nil, errf(typ, id, ErrElement, err.Error())
		}
		out = append(out, Element{ID: id, Value: v})
	}
	return out, nil
}

func validID(id string) bool {
	if len(id) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		c := id[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// decodeValue reads a value as UTF-8 when it is valid UTF-8, else as ISO 8859-1. The standard's
// element types (A, N, S) are ASCII; bytes above 0x7F still occur in names. PDF417 without an ECI
// carries ISO 8859-1 by default, which is what most encoders write for an accented letter (package
// barcode returns the symbol's bytes unchanged); UTF-8 arrives when the symbol says so with ECI 26.
// An ISO 8859-1 name that happens to be valid UTF-8 (two or more accented letters in a row, such as
// "Ã©") would be misread; no real name has been seen to do that.
func decodeValue(v []byte) string {
	if utf8.Valid(v) {
		return string(v)
	}
	r := make([]rune, len(v))
	for i, c := range v {
		r[i] = rune(c)
	}
	return string(r)
}

// checkValue accepts UTF-8 text without C0 or C1 control characters.
func checkValue(v []byte) error {
	if !utf8.Valid(v) {
		return fmt.Errorf("value is not valid UTF-8")
	}
	for _, c := range string(v) {
		if c < 0x20 || c >= 0x7f && c < 0xa0 {
			return fmt.Errorf("value holds control character U+%04X", c)
		}
	}
	return nil
}

// clip keeps error messages short.
func clip(b []byte) string {
	if len(b) > 16 {
		return string(b[:16]) + "..."
	}
	return string(b)
}

// fill moves the DL/ID elements into typed fields. DCG is read first since it decides the date format.
func (l *License) fill(elems []Element) error {
	for _, e := range elems {
		if e.ID == "DCG" && e.Value != "" {
			if err := l.setKnown("DCG", e.Value, ""); err != nil {
				return errf(l.Type, "DCG", ErrElement, err.Error())
			}
		}
	}
	country, countryKnown := l.dateCountry()
	for _, e := range elems {
		if !isKnown(e.ID) {
			l.Extra = append(l.Extra, e)
			continue
		}
		if e.Value == "" || e.ID == "DCG" {
			continue
		}
		if l.dateField(e.ID) != nil && !countryKnown {
			return errf(l.Type, e.ID, ErrDateFormat, "")
		}
		if err := l.setKnown(e.ID, e.Value, country); err != nil {
			kind := ErrElement
			if l.dateField(e.ID) != nil {
				kind = ErrDate
			}
			return errf(l.Type, e.ID, kind, err.Error())
		}
	}
	return nil
}
