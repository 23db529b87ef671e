package ocr

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func tsv(lines ...string) string {
	var b strings.Builder
	b.WriteString("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n")
	for i, l := range lines {
		for j, w := range strings.Fields(l) {
			b.WriteString("5\t1\t1\t1\t" + string(rune('1'+i)) + "\t" + string(rune('1'+j)) + "\t0\t0\t10\t10\t90.5\t" + w + "\n")
		}
	}
	return b.String()
}

func TestPickMRZ(t *testing.T) {
	cases := []struct {
		name   string
		out    string
		want   []string
		format string
	}{
		{"td3", tsv(specTD3...), specTD3, "TD3"},
		{"td1", tsv(specTD1...), specTD1, "TD1"},
		{"td2", tsv(specTD2...), specTD2, "TD2"},
		{"noise lines above are dropped", tsv("PASSPORT", "SURNAME ERIKSSON", specTD3[0], specTD3[1]), specTD3, "TD3"},
		{"spaces inside a line are removed", tsv("P<UTOERIKSSON<<ANNA<MARIA <<<<<<<<<<<<<<<<<<<", specTD3[1]), specTD3, "TD3"},
		{"guillemets are two fillers", tsv("P<UTOERIKSSON«ANNA<MARIA<<<<<<<<<<<<<<<<<<<", specTD3[1]), specTD3, "TD3"},
		{"zero in nationality is O", tsv(specTD3[0], "L898902C36UT07408122F1204159ZE184226B<<<<<10"), specTD3, "TD3"},
		{"O in birth date is zero", tsv(specTD1[0], "74O8122F12O4159UTO<<<<<<<<<<<6", specTD1[2]), specTD1, "TD1"},
		{"digit in names is a letter", tsv("I<UTOERIKSS0N<<ANNA<MARIA<<<<<<<<<<<", specTD2[1]), specTD2, "TD2"},
		{"document number is never touched", tsv(specTD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"),
			[]string{specTD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"}, "TD3"},
		{"wrong length: kept, no format, no class fix", tsv(specTD3[0], "L898902C36UT07408122F1204159ZE184226B<<<<10"),
			[]string{specTD3[0], "L898902C36UT07408122F1204159ZE184226B<<<<10"}, ""},
		{"one line only", tsv(specTD3[1]), nil, ""},
		{"short lines only", tsv("ABC", "DEF"), nil, ""},
		{"nothing", "", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, format, conf := pickMRZ(parseTSV(c.out))
			if !slices.Equal(got, c.want) || format != c.format {
				t.Fatalf("got %q %q, want %q %q", got, format, c.want, c.format)
			}
			if got != nil && (conf < 0.9 || conf > 0.91) {
				t.Errorf("confidence %v, want 0.905", conf)
			}
		})
	}
}

func TestParseTSVSkipsMalformed(t *testing.T) {
	out := "header\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\tNaN\tX\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t-1\tY\n" +
		"4\t1\t1\t1\t1\t0\t0\t0\t1\t1\t-1\t\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t50\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t50\tOK\r\n"
	lines := parseTSV(out)
	if len(lines) != 1 || !slices.Equal(lines[0].words, []string{"OK"}) {
		t.Fatalf("got %+v", lines)
	}
}

// FuzzPickMRZ: whatever the engine prints, lines come out in the MRZ
// alphabet, at most three, and nothing panics.
func FuzzPickMRZ(f *testing.F) {
	for _, s := range [][]string{specTD3, specTD1, specTD2, {"P<UTO«ANNA", "0O1I"}} {
		f.Add(tsv(s...))
	}
	f.Add("level\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t99\t«‹é\n")
	f.Fuzz(func(t *testing.T, out string) {
		lines, format, conf := pickMRZ(parseTSV(out))
		if len(lines) > 3 || conf < 0 || conf > 1 {
			t.Fatalf("lines %d conf %v", len(lines), conf)
		}
		for _, l := range lines {
			if !utf8.ValidString(l) || strings.Trim(l, Alphabet) != "" {
				t.Fatalf("line %q outside the alphabet", l)
			}
		}
		if format != "" && len(lines) == 0 {
			t.Fatal("format without lines")
		}
	})
}
