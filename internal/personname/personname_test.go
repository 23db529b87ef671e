package personname

import (
	"slices"
	"testing"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		account, surname string
		given            []string
		want             bool
	}{
		{"Anna Maria Eriksson", "ERIKSSON", []string{"ANNA", "MARIA"}, true},
		{"Eriksson, Anna-Maria", "ERIKSSON", []string{"ANNA", "MARIA"}, true},
		{"anna maria ERIKSSON", "ERIKSSON", []string{"ANNA MARIA"}, true},
		{"Anna Eriksson", "ERIKSSON", []string{"ANNA", "MARIA"}, false}, // a given name missing
		{"Anna Maria Eriksson Eriksson", "ERIKSSON", []string{"ANNA", "MARIA"}, false},
		{"Anna Maria Eriksson Smith", "ERIKSSON", []string{"ANNA", "MARIA"}, false},
		{"Ada Lovelace", "ERIKSSON", []string{"ANNA", "MARIA"}, false},
		{"", "ERIKSSON", []string{"ANNA"}, false},
		{"!!!", "ERIKSSON", []string{"ANNA"}, false},
		{"Anna", "", nil, false},
		// ICAO 9303 Part 3 transliteration.
		{"José Núñez", "NUNEZ", []string{"JOSE"}, true},
		{"Jürgen Müller", "MUELLER", []string{"JUERGEN"}, true},
		{"Jürgen Müller", "MULLER", []string{"JURGEN"}, true},  // the other spelling ICAO allows
		{"Jürgen Müller", "MUELLER", []string{"JURGEN"}, true}, // mixed, word by word
		{"Jurgen Muller", "MUELLER", []string{"JUERGEN"}, false},
		{"Åsa Ångström", "AANGSTROEM", []string{"ASA"}, true},
		{"Straße", "STRASSE", nil, true},
		{"Søren Kierkegaard", "KIERKEGAARD", []string{"SOEREN"}, true},
		{"Łukasz Żółć", "ZOLC", []string{"LUKASZ"}, true},
		{"Þóra Æsa", "AESA", []string{"THORA"}, true},
		{"Seán O'Brien", "OBRIEN", []string{"SEAN"}, true},
		{"Jean-Luc Picard", "PICARD", []string{"JEAN", "LUC"}, true},
		{"Ana\u0301 Lo\u0301pez", "LOPEZ", []string{"ANA"}, true}, // combining accents
		{"ANNA<MARIA<<ERIKSSON", "ERIKSSON", []string{"ANNA", "MARIA"}, true},
		// Other scripts: no guess.
		{"Иван Петров", "PETROV", []string{"IVAN"}, false},
		{"Ivan Петров", "PETROV", []string{"IVAN"}, false},
		{"李 小龍", "LI", []string{"XIAOLONG"}, false},
	} {
		if got := Match(tc.account, tc.surname, tc.given); got != tc.want {
			t.Errorf("Match(%q, %q, %q) = %v, want %v", tc.account, tc.surname, tc.given, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	got := Words("Müller-Lüdenscheidt, Ö.")
	want := [][]string{{"MUELLER", "MULLER"}, {"LUEDENSCHEIDT", "LUDENSCHEIDT"}, {"OE", "O"}}
	if len(got) != len(want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("word %d: %q, want %q", i, got[i], want[i])
		}
	}
	// Spellings stay bounded however many two-way letters a word has.
	if w := Words("ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ"); len(w) != 1 || len(w[0]) != maxSpellings {
		t.Errorf("Words of 20 Ä: %d words, %d spellings", len(w), len(w[0]))
	}
}

// FuzzMatch: any input, no panic, and a name always matches itself
// written in MRZ letters.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"Anna Maria Eriksson", "Jürgen Müller", "Seán O'Brien", "Иван", "", "<<<", "ß\u0301\u0308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ws := Words(name)
		if len(ws) == 0 || len(ws) > maxWords {
			Match(name, "X", nil)
			return
		}
		var mrz []string
		for _, w := range ws {
			if len(w) == 0 {
				Match(name, "X", nil)
				return
			}
			mrz = append(mrz, w[0])
		}
		if !Match(name, mrz[0], mrz[1:]) {
			t.Fatalf("%q does not match its own spelling %q", name, mrz)
		}
	})
}

// TestMatchRepeatedWords: a name of repeated words that fails only at its
// last word is decided at once (trying orders one by one would not end).
func TestMatchRepeatedWords(t *testing.T) {
	doc := []string{"A", "A", "A", "A", "A", "A", "A", "A", "A", "A", "A"}
	if Match("A A A A A A A A A A A B", "A", doc) {
		t.Fatal("eleven A and a B match twelve A")
	}
	if !Match("A A A A A A A A A A A A", "A", doc) {
		t.Fatal("twelve A do not match twelve A")
	}
}
