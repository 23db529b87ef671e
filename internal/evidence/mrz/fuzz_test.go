package mrz

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, fails only with its typed
// errors, and that what it accepts is stable: the normalised lines parse to
// the same document, and Encode rebuilds exactly those lines from the fields.
func FuzzParse(f *testing.F) {
	for _, s := range []string{specimenTD3, specimenTD1, specimenTD2, longTD1,
		strings.ReplaceAll(specimenTD3, "\n", "\r\n"), strings.ReplaceAll(specimenTD1, "\n", ""),
		replace(specimenTD3, 2, 43, "<"), replace(specimenTD1, 1, 20, "A"), replace(specimenTD2, 2, 10, "<"),
		replace(specimenTD3, 2, 18, "<<"), "", "P<", "\n\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := Parse(text, now)
		if err != nil {
			var fe *FormatError
			var ce *CheckError
			if !errors.As(err, &fe) && !errors.As(err, &ce) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		again, err := Parse(d.String(), now)
		if err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("re-parse of %q: %+v, %v", d.String(), again, err)
		}
		want := append([]string(nil), d.Lines...)
		if d.Format == TD3 && d.OptionalData1 == "" {
			// Both '0' and '<' are valid here (value 0 either way); Encode writes '<'.
			want[1] = want[1][:42] + "<" + want[1][43:]
		}
		lines, err := Encode(d)
		if err != nil || !reflect.DeepEqual(lines, want) {
			t.Fatalf("Encode = %q, %v; want %q", lines, err, want)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(specimenTD3, now); err != nil {
			b.Fatal(err)
		}
	}
}
