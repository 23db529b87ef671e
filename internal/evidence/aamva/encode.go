package aamva

import (
	"fmt"
	"strings"
)

// Encode builds the payload for l, with a directory that matches the data. It is meant for tests,
// fixtures and demos: a payload it builds proves nothing about a real card. Errors are *Error values.
func Encode(l *License) ([]byte, error) {
	if l == nil {
		return nil, errf("", "", ErrInvalid, "nil licence")
	}
	ft := l.FileType
	if ft == "" {
		ft = "ANSI"
	}
	if ft != "ANSI" && ft != "AAMVA" {
		return nil, errf("", "", ErrHeader, "file type is not ANSI or AAMVA")
	}
	if len(l.IIN) != 6 || !allDigits(l.IIN) {
		return nil, errf("", "", ErrHeader, "IIN must be six digits")
	}
	if l.Version < 2 || l.Version > 99 || l.JurisdictionVersion < 0 || l.JurisdictionVersion > 99 {
		return nil, errf("", "", ErrHeader, "versions must be 02..99 and 00..99")
	}
	if l.Type != "DL" && l.Type != "ID" {
		return nil, errf("", "", ErrSubfile, fmt.Sprintf("type %q is not DL or ID", l.Type))
	}
	bodies := []string{}
	types := []string{l.Type}
	main, err := l.mainBody()
	if err != nil {
		return nil, err
	}
	bodies = append(bodies, main)
	for _, s := range l.Jurisdiction {
		if !validType(s.Type) || s.Type[0] != 'Z' {
			return nil, errf("", "", ErrSubfile, fmt.Sprintf("jurisdiction subfile type %q is not Z plus a letter", s.Type))
		}
		b, err := body(s.Type, s.Elements)
		if err != nil {
			return nil, err
		}
		types, bodies = append(types, s.Type), append(bodies, b)
	}
	if len(types) > 99 {
		return nil, errf("", "", ErrDirectory, "more than 99 subfiles")
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s%-5s%s%02d%02d%02d", prefix, ft, l.IIN, l.Version, l.JurisdictionVersion, len(types))
	off := headerLen + entryLen*len(types)
	for i, t := range types {
		n := len(bodies[i])
		if off > 9999 || n > 9999 {
			return nil, errf(t, "", ErrDirectory, "offset or length does not fit in four digits")
		}
		fmt.Fprintf(&out, "%s%04d%04d", t, off, n)
		off += n
	}
	for _, b := range bodies {
		out.WriteString(b)
	}
	return []byte(out.String()), nil
}

func (l *License) mainBody() (string, error) {
	country, countryKnown := l.dateCountry()
	if l.Country != "" && l.Country != CountryUSA && l.Country != CountryCAN {
		return "", errf(l.Type, "DCG", ErrElement, fmt.Sprintf("country %q is not USA or CAN", l.Country))
	}
	var elems []Element
	for _, id := range known {
		if p := l.dateField(id); p != nil && !p.IsZero() && !countryKnown {
			return "", errf(l.Type, id, ErrDateFormat, "")
		}
		v, err := l.getKnown(id, country)
		if err != nil {
			return "", errf(l.Type, id, ErrElement, err.Error())
		}
		if v == "" {
			continue
		}
		// Re-parse each value so Encode never writes what Parse would refuse.
		var probe License
		if err := probe.setKnown(id, v, country); err != nil {
			return "", errf(l.Type, id, ErrElement, err.Error())
		}
		elems = append(elems, Element{ID: id, Value: v})
	}
	for _, e := range l.Extra {
		if isKnown(e.ID) {
			return "", errf(l.Type, e.ID, ErrElement, "a typed element may not also appear in Extra")
		}
		elems = append(elems, e)
	}
	return body(l.Type, elems)
}

// body renders one subfile: type, elements separated by LF, CR.
func body(typ string, elems []Element) (string, error) {
	var b strings.Builder
	b.WriteString(typ)
	seen := map[string]bool{}
	for i, e := range elems {
		if !validID(e.ID) {
			return "", errf(typ, "", ErrElement, fmt.Sprintf("id %q is not three letters or digits", e.ID))
		}
		if seen[e.ID] {
			return "", errf(typ, e.ID, ErrElement, "appears twice")
		}
		seen[e.ID] = true
		if err := checkValue([]byte(e.Value)); err != nil {
			return "", errf(typ, e.ID, ErrElement, err.Error())
		}
		if strings.HasSuffix(e.Value, " ") {
			return "", errf(typ, e.ID, ErrElement, "value ends with a space (padding is dropped on parse)")
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.ID)
		b.WriteString(e.Value)
	}
	b.WriteByte('\r')
	return b.String(), nil
}
