package email

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CodeLen is the number of digits in a code.
const CodeLen = 6

const (
	codeSpace = 1_000_000 // 10^CodeLen
	// sampleLimit is the largest multiple of codeSpace that fits in a
	// uint32: samples at or above it are redrawn, so every code is equally
	// likely (no modulo bias).
	sampleLimit = (1 << 32) / codeSpace * codeSpace
	// maxDraws bounds the redraws; each is rejected with probability
	// below 0.03%, so reaching it means the random source is broken.
	maxDraws = 64
)

// newCode draws a uniformly distributed CodeLen-digit code from r.
func newCode(r io.Reader) (string, error) {
	var buf [4]byte
	for range maxDraws {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("email: reading randomness: %w", err)
		}
		if v := binary.BigEndian.Uint32(buf[:]); v < sampleLimit {
			return fmt.Sprintf("%0*d", CodeLen, v%codeSpace), nil
		}
	}
	return "", errors.New("email: random source returned out-of-range values too often")
}

// ParseCode returns the CodeLen digits a user typed, accepting the spaces
// and hyphens people put in while copying ("123 456", "123-456"). Anything
// else is ReasonCodeMalformed.
func ParseCode(s string) (string, error) {
	if len(s) > 4*CodeLen {
		return "", refuse(ReasonCodeMalformed)
	}
	var b strings.Builder
	b.Grow(CodeLen)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if b.Len() == CodeLen {
				return "", refuse(ReasonCodeMalformed)
			}
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '\t':
		default:
			return "", refuse(ReasonCodeMalformed)
		}
	}
	if b.Len() != CodeLen {
		return "", refuse(ReasonCodeMalformed)
	}
	return b.String(), nil
}

// digestDomain separates these MACs from any other use of the same key.
const digestDomain = "vigil email otp v1"

// digest binds a code to its verification and address: a code stolen from
// one verification, or issued for another address, never matches. Fields
// are length-prefixed so no two inputs share an encoding.
func digest(key []byte, verificationID, addr, code string) []byte {
	m := hmac.New(sha256.New, key)
	for _, f := range [...]string{digestDomain, verificationID, addr, code} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return m.Sum(nil)
}

// digestEqual compares digests in constant time; the only way this
// package compares them.
func digestEqual(a, b []byte) bool { return hmac.Equal(a, b) }
