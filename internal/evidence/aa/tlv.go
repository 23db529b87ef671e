package aa

import "errors"

// MaxFileLen bounds DG14 and DG15. Real ones are a few hundred bytes; the
// largest honest DG15 (RSA-4096 or explicit-parameter EC) stays under 1 KiB.
const MaxFileLen = 16 << 10

// unwrap returns the value of a file that is exactly one BER-TLV element with
// the given single-byte tag and a definite length. LDS files are BER, so a
// non-minimal long-form length is accepted; the content itself is DER and is
// read strictly by the caller.
func unwrap(b []byte, tag byte) ([]byte, error) {
	if len(b) > MaxFileLen {
		return nil, errors.New("file too large")
	}
	if len(b) < 2 {
		return nil, errors.New("file truncated")
	}
	if b[0] != tag {
		return nil, errors.New("wrong file tag")
	}
	l, off := int(b[1]), 2
	switch {
	case l == 0x80:
		return nil, errors.New("indefinite length")
	case l > 0x80:
		n := l & 0x7F
		if n > 3 || len(b) < 2+n {
			return nil, errors.New("bad length encoding")
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		off += n
	}
	if l != len(b)-off {
		return nil, errors.New("length disagrees with the file size")
	}
	return b[off:], nil
}
