// Package personname compares a name as an account holds it (typed by a
// person or an administrator: any case, accents, apostrophes, hyphens,
// "Surname, Given" or "Given Surname") with a name as an identity
// document's machine-readable zone holds it (ICAO 9303: upper-case A to Z,
// words separated by '<' or spaces).
//
// Accented letters are written the ICAO 9303 Part 3 way (é is E, ß is SS,
// Æ is AE), and where the standard allows two spellings (Ä as AE or A, Ö as
// OE or O, Ü as UE or U, Å as AA or A) either one matches. Apostrophes are
// dropped (O'Brien is OBRIEN); hyphens, commas and dots separate words.
// Letters of other scripts (Cyrillic, Greek, Arabic, CJK) have no single
// Latin spelling here: a name holding them matches nothing, so the
// decision falls to a person instead of a guess.
package personname

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxWords bounds the words compared: names longer than this never match
// (a reviewer reads them), which keeps the matching cheap for any input.
const maxWords = 12

// maxSpellings bounds the spellings kept for one word.
const maxSpellings = 16

// Match reports whether account names the same person as the document's
// surname and given names: the same words in any order, each word of the
// account spelled as one of the document's (the same number of words, so
// a missing middle name or an extra one does not match).
func Match(account, surname string, given []string) bool {
	a := Words(account)
	doc := Words(surname + " " + strings.Join(given, " "))
	if len(a) == 0 || len(a) != len(doc) || len(a) > maxWords {
		return false
	}
	// A perfect matching between the two lists of words (augmenting
	// paths): trying orders one by one would take factorial time on a name
	// of repeated words.
	owner := make([]int, len(doc)) // doc word -> account word + 1; 0: free
	var augment func(i int, seen []bool) bool
	augment = func(i int, seen []bool) bool {
		for j, w := range doc {
			if seen[j] || !spelledAs(a[i], w) {
				continue
			}
			seen[j] = true
			if owner[j] == 0 || augment(owner[j]-1, seen) {
				owner[j] = i + 1
				return true
			}
		}
		return false
	}
	for i := range a {
		if !augment(i, make([]bool, len(doc))) {
			return false
		}
	}
	return true
}

func spelledAs(spellings []string, w []string) bool {
	for _, s := range spellings {
		for _, t := range w {
			if s == t {
				return true
			}
		}
	}
	return false
}

// Words splits name into words, each with its MRZ spellings (most often
// one). A word holding a letter with no Latin spelling has none and so
// matches no word.
func Words(name string) [][]string {
	var out [][]string
	for _, w := range strings.FieldsFunc(name, separator) {
		sp := spellings(w)
		if sp == nil {
			out = append(out, []string{})
			continue
		}
		if sp[0] != "" {
			out = append(out, sp)
		}
	}
	return out
}

func separator(r rune) bool {
	return unicode.IsSpace(r) || r == '<' || r == '-' || r == '‐' || r == '‑' || r == '–' || r == ',' || r == '.'
}

// twoWays are the letters ICAO 9303 lets an issuer write two ways.
var twoWays = map[rune][2]string{
	'Ä': {"AE", "A"}, 'Ö': {"OE", "O"}, 'Ü': {"UE", "U"}, 'Å': {"AA", "A"},
}

// oneWay are the letters NFD does not take apart into a base letter.
var oneWay = map[rune]string{
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'Ø': "OE", 'Œ': "OE", 'Þ': "TH", 'Ĳ': "IJ", 'Ð': "D", 'Đ': "D",
	'Ł': "L", 'Ħ': "H", 'ı': "I", 'Ŋ': "N", 'Ŧ': "T", 'Ŀ': "L",
}

// spellings writes one word in MRZ letters: nil when a letter has no
// Latin spelling, [""] when nothing in it is a letter (punctuation alone).
func spellings(word string) []string {
	out := []string{""}
	for _, r := range norm.NFC.String(word) {
		up := unicode.ToUpper(r)
		var parts []string
		switch {
		case up >= 'A' && up <= 'Z':
			parts = []string{string(up)}
		case twoWays[up] != [2]string{}:
			tw := twoWays[up]
			parts = tw[:]
		case oneWay[up] != "":
			parts = []string{oneWay[up]}
		case oneWay[r] != "": // ß and ı have no one-letter upper case
			parts = []string{oneWay[r]}
		case unicode.IsLetter(r):
			base := latinBase(up)
			if base == "" {
				return nil
			}
			parts = []string{base}
		default:
			continue // apostrophes, marks, digits: not written in a name's MRZ
		}
		next := make([]string, 0, len(out)*len(parts))
		for _, s := range out {
			for _, p := range parts {
				next = append(next, s+p)
			}
		}
		if len(next) > maxSpellings {
			next = next[:maxSpellings]
		}
		out = next
	}
	return out
}

// latinBase is the A-Z letter an accented Latin letter is built on (É is
// E plus an acute accent), or "" for a letter of another script.
func latinBase(r rune) string {
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		switch {
		case d >= 'A' && d <= 'Z':
			b.WriteRune(d)
		case unicode.Is(unicode.Mn, d):
		default:
			return ""
		}
	}
	return b.String()
}
