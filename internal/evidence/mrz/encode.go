package mrz

import (
	"errors"
	"fmt"
	"strings"
)

// Encode builds the MRZ lines of d from its fields, computing every check
// digit; Lines is ignored. It is the inverse of Parse (for a TD3 document
// without personal number it writes '<', not '0', as that check digit), and
// serves tests and fixtures that need a valid MRZ for given data.
func Encode(d *Document) ([]string, error) {
	var names string
	if err := validText(d.Surname, "surname", " "); err != nil {
		return nil, err
	}
	names = strings.ReplaceAll(d.Surname, " ", "<")
	if len(d.GivenNames) > 0 {
		for _, g := range d.GivenNames {
			if err := validText(g, "given name", ""); err != nil {
				return nil, err
			}
		}
		names += "<<" + strings.Join(d.GivenNames, "<")
	}
	if err := validText(d.DocumentNumber, "document number", "0123456789"); err != nil {
		return nil, err
	}
	for _, f := range []struct{ v, what, extra string }{
		{d.DocumentCode, "document code", ""}, {d.IssuingState, "issuing state", ""}, {d.Nationality, "nationality", ""},
	} {
		if err := validText(f.v, f.what, f.extra); err != nil {
			return nil, err
		}
	}
	sx := map[string]string{"M": "M", "F": "F", "X": "<"}[d.Sex]
	if sx == "" {
		return nil, fmt.Errorf("mrz: encode: sex %q is not M, F or X", d.Sex)
	}
	holder := encDate(d.BirthDate) + "?" + sx + encDate(d.ExpiryDate) + "?"
	holder = holder[:6] + string(checkDigitOf(holder[:6])) + holder[7:14] + string(checkDigitOf(holder[8:14]))
	code := d.DocumentCode
	if len(code) == 1 {
		code += "<"
	}

	var lines []string
	var err error
	switch d.Format {
	case TD3:
		if len(d.DocumentNumber) > 9 {
			return nil, errors.New("mrz: encode: a TD3 document number has at most 9 characters")
		}
		num := pad(d.DocumentNumber, 9)
		pn := pad(d.OptionalData1, 14)
		pcd := string(checkDigitOf(pn))
		if d.OptionalData1 == "" {
			pcd = "<"
		}
		l2 := num + string(checkDigitOf(num)) + pad(d.Nationality, 3) + holder + pn + pcd
		l2 += string(checkDigitOf(l2[0:10], l2[13:20], l2[21:43]))
		lines = []string{code + pad(d.IssuingState, 3) + pad(names, 39), l2}
	case TD2:
		var num, opt string
		if num, opt, err = encNumber(d.DocumentNumber, d.OptionalData1, 7); err != nil {
			return nil, err
		}
		l2 := num + pad(d.Nationality, 3) + holder + opt
		l2 += string(checkDigitOf(l2[0:10], l2[13:20], l2[21:35]))
		lines = []string{code + pad(d.IssuingState, 3) + pad(names, 31), l2}
	case TD1:
		var num, opt string
		if num, opt, err = encNumber(d.DocumentNumber, d.OptionalData1, 15); err != nil {
			return nil, err
		}
		l1 := code + pad(d.IssuingState, 3) + num + opt
		l2 := holder + pad(d.Nationality, 3) + pad(d.OptionalData2, 11)
		l2 += string(checkDigitOf(l1[5:30], l2[0:7], l2[8:15], l2[18:29]))
		lines = []string{l1, l2, pad(names, 30)}
	default:
		return nil, fmt.Errorf("mrz: encode: unknown format %d", d.Format)
	}
	for _, l := range lines {
		if len(l) != map[Format]int{TD1: 30, TD2: 36, TD3: 44}[d.Format] {
			return nil, fmt.Errorf("mrz: encode: the fields do not fit the %s layout", d.Format)
		}
	}
	return lines, nil
}

// encNumber writes the document number with its check digit and the
// optional data of width n, continuing a long number into it.
func encNumber(num, opt string, n int) (string, string, error) {
	if len(num) <= 9 {
		p := pad(num, 9)
		return p + string(checkDigitOf(p)), pad(opt, n), nil
	}
	cont := num[9:] + string(checkDigitOf(num))
	if opt != "" {
		cont += "<" + opt
	}
	return num[:9] + "<", pad(cont, n), nil
}

func encDate(d Date) string {
	two := func(v int) string {
		if v == 0 {
			return "<<"
		}
		return fmt.Sprintf("%02d", v%100)
	}
	return two(d.Year) + two(d.Month) + two(d.Day)
}

// pad right-pads s with fillers to n; longer input is left long so that the
// final length check reports it.
func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat("<", n-len(s))
}

// validText requires letters and the extra characters, and non-empty text.
func validText(s, what, extra string) error {
	if s == "" {
		return fmt.Errorf("mrz: encode: %s is empty", what)
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) && !strings.ContainsRune(extra, rune(s[i])) {
			return fmt.Errorf("mrz: encode: %s %q holds %s", what, s, quoteByte(s[i]))
		}
	}
	return nil
}
