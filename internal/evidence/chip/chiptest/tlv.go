package chiptest

// tlv encodes one BER-TLV element with a one- or two-byte tag and a definite
// length, as the LDS uses (Doc 9303 part 10).
func tlv(tag uint16, value ...[]byte) []byte {
	var v []byte
	for _, p := range value {
		v = append(v, p...)
	}
	var out []byte
	if tag > 0xFF {
		out = append(out, byte(tag>>8), byte(tag))
	} else {
		out = append(out, byte(tag))
	}
	switch n := len(v); {
	case n < 0x80:
		out = append(out, byte(n))
	case n <= 0xFF:
		out = append(out, 0x81, byte(n))
	case n <= 0xFFFF:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, v...)
}
