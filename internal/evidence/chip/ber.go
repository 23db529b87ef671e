package chip

import "errors"

const maxDepth = 32

var errBER = errors.New("bad BER encoding")

// berToDER rewrites indefinite lengths as definite ones and joins
// constructed OCTET STRINGs, so the strict DER parser can read SODs written
// in BER (NZ's is). Definite-length content is copied unchanged, so DER
// parts (certificates, signedAttrs) keep their exact signed bytes. SET
// order is not touched. Only single-byte tags occur in a SOD; others fail.
func berToDER(b []byte) ([]byte, error) {
	out, rest, err := convert(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing data")
	}
	return out, nil
}

// convert reads one TLV from b, returning its DER form and the remainder.
func convert(b []byte, depth int) (der, rest []byte, err error) {
	if depth > maxDepth || len(b) < 2 || b[0]&0x1f == 0x1f {
		return nil, nil, errBER
	}
	tag, constructed := b[0], b[0]&0x20 != 0
	var content []byte
	switch l := b[1]; {
	case l == 0x80: // indefinite: children up to end-of-contents 00 00
		if !constructed {
			return nil, nil, errBER
		}
		rest = b[2:]
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				rest = rest[2:]
				break
			}
			var child []byte
			if child, rest, err = convert(rest, depth+1); err != nil {
				return nil, nil, err
			}
			content = append(content, child...)
		}
	case l < 0x80:
		if len(b)-2 < int(l) {
			return nil, nil, errBER
		}
		content, rest = b[2:2+int(l)], b[2+int(l):]
	default:
		n := int(l & 0x7f)
		if n > 3 || len(b) < 2+n {
			return nil, nil, errBER
		}
		size := 0
		for _, c := range b[2 : 2+n] {
			size = size<<8 | int(c)
		}
		if len(b)-2-n < size {
			return nil, nil, errBER
		}
		content, rest = b[2+n:2+n+size], b[2+n+size:]
		if constructed && containsIndefinite(content) {
			if content, err = convertAll(content, depth+1); err != nil {
				return nil, nil, err
			}
		}
	}
	if tag == 0x24 { // constructed OCTET STRING: join its primitive pieces
		joined, err := joinOctets(content)
		if err != nil {
			return nil, nil, err
		}
		tag, content = 0x04, joined
	}
	return appendTLV(nil, tag, content), rest, nil
}

// containsIndefinite is a cheap over-approximation: a 0x80 byte anywhere
// means the children must be walked; walking DER changes nothing.
func containsIndefinite(b []byte) bool {
	for _, c := range b {
		if c == 0x80 {
			return true
		}
	}
	return false
}

func convertAll(b []byte, depth int) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		child, rest, err := convert(b, depth)
		if err != nil {
			return nil, err
		}
		out, b = append(out, child...), rest
	}
	return out, nil
}

func joinOctets(content []byte) ([]byte, error) {
	var out []byte
	for len(content) > 0 {
		if content[0] != 0x04 {
			return nil, errBER
		}
		child, rest, err := convert(content, maxDepth)
		if err != nil {
			return nil, err
		}
		body := child[2:]
		if child[1] > 0x80 {
			body = child[2+int(child[1]&0x7f):]
		}
		out, content = append(out, body...), rest
	}
	return out, nil
}

func appendTLV(out []byte, tag byte, content []byte) []byte {
	out = append(out, tag)
	switch n := len(content); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, content...)
}
