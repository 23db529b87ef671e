package mrz

import "fmt"

// Filler is the MRZ filler character.
const Filler = '<'

// charValue is the Doc 9303 Part 3 value of an MRZ character: digits are
// themselves, A-Z are 10-35 and the filler is 0. ok is false outside the
// MRZ alphabet.
func charValue(c byte) (v int, ok bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == Filler:
		return 0, true
	}
	return 0, false
}

// checkWeights are the repeating Doc 9303 Part 3 weights.
var checkWeights = [3]int{7, 3, 1}

// CheckDigit returns the Doc 9303 check digit ('0'..'9') of s: the sum of
// each character's value times the repeating weights 7, 3, 1, modulo 10.
// It fails on any character outside A-Z, 0-9 and '<'.
func CheckDigit(s string) (byte, error) {
	sum := 0
	for i := 0; i < len(s); i++ {
		v, ok := charValue(s[i])
		if !ok {
			return 0, fmt.Errorf("mrz: check digit: character %s at position %d is not in the MRZ alphabet", quoteByte(s[i]), i+1)
		}
		sum += v * checkWeights[i%3]
	}
	return byte('0' + sum%10), nil
}

// checkDigitOf is CheckDigit for input already known to be in the alphabet.
func checkDigitOf(parts ...string) byte {
	sum, i := 0, 0
	for _, s := range parts {
		for j := 0; j < len(s); j++ {
			v, _ := charValue(s[j])
			sum += v * checkWeights[i%3]
			i++
		}
	}
	return byte('0' + sum%10)
}

// quoteByte renders a byte for an error message without echoing control
// characters or broken UTF-8 back to the user.
func quoteByte(c byte) string {
	if c >= 0x21 && c <= 0x7e {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("0x%02X", c)
}
