package emrtd

// element is one BER-TLV element of an LDS file; value aliases the input.
type element struct {
	tag   uint16 // one or two tag bytes, big-endian: 0x60, 0x5F01, ...
	value []byte
}

// readElement reads one element from the front of b and returns the rest.
// Only the forms the LDS uses are accepted: one- or two-byte tags and
// definite lengths in their shortest encoding (at most 0x82 LL LL), each
// checked against the bytes that remain before slicing.
func readElement(b []byte) (element, []byte, bool) {
	if len(b) < 2 {
		return element{}, nil, false
	}
	tag, rest := uint16(b[0]), b[1:]
	if b[0]&0x1F == 0x1F {
		// Two-byte tag; the second byte must end it (high bit clear). ICAO
		// writes low numbers this way too (5F01), so no minimality rule.
		if rest[0]&0x80 != 0 {
			return element{}, nil, false
		}
		tag, rest = tag<<8|uint16(rest[0]), rest[1:]
	}
	if len(rest) == 0 {
		return element{}, nil, false
	}
	n, rest := int(rest[0]), rest[1:]
	switch {
	case n < 0x80:
	case n == 0x81 && len(rest) >= 1 && rest[0] >= 0x80:
		n, rest = int(rest[0]), rest[1:]
	case n == 0x82 && len(rest) >= 2 && rest[0] != 0:
		n, rest = int(rest[0])<<8|int(rest[1]), rest[2:]
	default:
		return element{}, nil, false
	}
	if n > len(rest) {
		return element{}, nil, false
	}
	return element{tag: tag, value: rest[:n]}, rest[n:], true
}

// readOnly reads b as exactly one element with the given tag.
func readOnly(b []byte, tag uint16) ([]byte, bool) {
	e, rest, ok := readElement(b)
	if !ok || e.tag != tag || len(rest) != 0 {
		return nil, false
	}
	return e.value, true
}
