package aamva

import (
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{virginia, ontario, california, texas, newYork,
		build("ANSI 6360001001", "DLDAQ1", "ZVZV"), build("ANSI 6360121001", lines("DL", "DBB01021990", "DCGCAN"))} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		l, err := Parse(p)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		_ = l.Check(now)
		_ = l.DocumentDetails()
		out, err := Encode(l)
		if err != nil {
			// Encode's four-digit directory fields cap its output, which is UTF-8: an ISO 8859-1
			// byte above 0x7F in the input takes two bytes there.
			if 2*len(p) > 9999-headerLen {
				return
			}
			t.Fatalf("Encode of a parsed licence: %v", err)
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Encode): %v", err)
		}
		a, b := *l, *back
		a.layout, b.layout = layout{}, layout{}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("re-encoded licence differs:\n%+v\n%+v", a, b)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	p := []byte(virginia)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := Parse(p); err != nil {
			b.Fatal(err)
		}
	}
}
