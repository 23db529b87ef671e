package dg2

import "fmt"

// tlv is one BER-TLV element; value aliases the parsed input.
type tlv struct {
	tag   uint32 // tag bytes as a big-endian number, e.g. 0x7F61
	value []byte
	off   int // offset of the element in the buffer it was read from
}

// readTLV reads one element from b[off:] and returns it with the offset just
// past it. Lengths are checked against the remaining input before slicing;
// indefinite lengths are refused (DER and the LDS use definite lengths only).
func readTLV(b []byte, off int) (tlv, int, error) {
	start := off
	if off >= len(b) {
		return tlv{}, 0, perr(ErrTruncated, start, "missing tag")
	}
	tag := uint32(b[off])
	off++
	if tag&0x1F == 0x1F {
		for n := 0; ; n++ {
			if n == 3 {
				return tlv{}, 0, perr(ErrMalformed, start, "tag longer than 4 bytes")
			}
			if off >= len(b) {
				return tlv{}, 0, perr(ErrTruncated, start, "truncated tag")
			}
			c := b[off]
			off++
			tag = tag<<8 | uint32(c)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if off >= len(b) {
		return tlv{}, 0, perr(ErrTruncated, start, "missing length")
	}
	l := int(b[off])
	off++
	if l == 0x80 {
		return tlv{}, 0, perr(ErrUnsupported, start, "indefinite length")
	}
	if l > 0x80 {
		n := l & 0x7F
		if n > 3 {
			return tlv{}, 0, perr(ErrTooLarge, start, fmt.Sprintf("%d length bytes", n))
		}
		if len(b)-off < n {
			return tlv{}, 0, perr(ErrTruncated, start, "truncated length")
		}
		l = 0
		for i := 0; i < n; i++ {
			l = l<<8 | int(b[off+i])
		}
		off += n
	}
	if l > len(b)-off {
		return tlv{}, 0, perr(ErrTruncated, start, fmt.Sprintf("tag %X wants %d bytes, %d remain", tag, l, len(b)-off))
	}
	return tlv{tag: tag, value: b[off : off+l], off: start}, off + l, nil
}

// children splits a constructed value into its elements, in order.
func children(v []byte, max int) ([]tlv, error) {
	var out []tlv
	for off := 0; off < len(v); {
		if len(out) == max {
			return nil, perr(ErrTooLarge, off, "too many elements")
		}
		t, next, err := readTLV(v, off)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		off = next
	}
	return out, nil
}

// only reads v as exactly one element with the wanted tag.
func only(v []byte, tag uint32) (tlv, error) {
	t, next, err := readTLV(v, 0)
	if err != nil {
		return tlv{}, err
	}
	if t.tag != tag {
		return tlv{}, perr(ErrMalformed, 0, fmt.Sprintf("tag %X, want %X", t.tag, tag))
	}
	if next != len(v) {
		return tlv{}, perr(ErrMalformed, next, fmt.Sprintf("%d trailing bytes after tag %X", len(v)-next, tag))
	}
	return t, nil
}

// find returns the first element with the tag, or false.
func find(ts []tlv, tag uint32) (tlv, bool) {
	for _, t := range ts {
		if t.tag == tag {
			return t, true
		}
	}
	return tlv{}, false
}

// uintValue decodes a small non-negative INTEGER (at most 4 content bytes).
func uintValue(t tlv) (int, error) {
	v := t.value
	if len(v) == 0 || len(v) > 4 || (len(v) == 4 && v[0]&0x80 != 0) {
		return 0, perr(ErrMalformed, t.off, fmt.Sprintf("integer of %d bytes in tag %X", len(v), t.tag))
	}
	if v[0]&0x80 != 0 {
		return 0, perr(ErrMalformed, t.off, "negative integer")
	}
	n := 0
	for _, c := range v {
		n = n<<8 | int(c)
	}
	return n, nil
}
