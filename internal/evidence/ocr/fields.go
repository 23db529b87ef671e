package ocr

// field is a run of positions in one MRZ line whose character class the
// format fixes: alpha fields hold only A-Z and '<', numeric ones only 0-9
// and '<'.
type field struct {
	line, from, to int
	numeric        bool
}

// ICAO Doc 9303 layouts: only the fields with a fixed class are listed;
// document numbers and optional data may mix letters and digits and are
// never touched.
var layouts = map[string][]field{
	"TD3": {
		{0, 0, 5, false}, {0, 5, 44, false}, // document code, issuing state; names
		{1, 9, 10, true}, {1, 10, 13, false}, {1, 13, 20, true}, // check; nationality; birth date + check
		{1, 21, 28, true}, {1, 43, 44, true}, // expiry + check; composite check
	},
	"TD2": {
		{0, 0, 5, false}, {0, 5, 36, false},
		{1, 9, 10, true}, {1, 10, 13, false}, {1, 13, 20, true},
		{1, 21, 28, true}, {1, 35, 36, true},
	},
	"TD1": {
		{0, 0, 5, false}, {0, 14, 15, true}, // document code, issuing state; check
		{1, 0, 7, true}, {1, 8, 15, true}, {1, 15, 18, false}, {1, 29, 30, true},
		{2, 0, 30, false}, // names
	},
}

// Only pairs that OCR engines confuse because the glyphs are near-identical;
// a character outside a pair is left as read.
var (
	digitToLetter = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '8': 'B'}
	letterToDigit = map[byte]byte{'O': '0', 'I': '1', 'Z': '2', 'S': '5', 'B': '8'}
)

// fixClasses maps a digit read in a letters-only field to its look-alike
// letter and back. The format demands it, so it is no guess; check digits
// are never consulted. lines must have the exact length of format.
func fixClasses(format string, lines []string) []string {
	out := make([]string, len(lines))
	copy(out, lines)
	for _, f := range layouts[format] {
		b := []byte(out[f.line])
		m := digitToLetter
		if f.numeric {
			m = letterToDigit
		}
		for i := f.from; i < f.to; i++ {
			if c, ok := m[b[i]]; ok {
				b[i] = c
			}
		}
		out[f.line] = string(b)
	}
	return out
}
