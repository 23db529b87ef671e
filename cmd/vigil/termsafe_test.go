package main

import (
	"bytes"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTerminalSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ada@example.com\tAda\n", "ada@example.com\tAda\n"},
		{"Zoë 🙂\n", "Zoë 🙂\n"},
		{"evil\x1b]0;pwned\x07name", "evil\uFFFD]0;pwned\uFFFDname"},
		{"hide\rover", "hide\uFFFDover"},
		{"csi\xc2\x9b2J", "csi\uFFFD2J"},
		{"raw\x9b2J", "raw\uFFFD2J"},
		{"del\x7f", "del\uFFFD"},
		{"line\u2028sep", "line\uFFFDsep"},
	} {
		var b bytes.Buffer
		n, err := terminalSafe(&b).Write([]byte(tc.in))
		if err != nil || n != len(tc.in) || b.String() != tc.want {
			t.Errorf("%q: wrote %q (%d, %v), want %q", tc.in, b.String(), n, err, tc.want)
		}
	}
}

func FuzzTerminalSafe(f *testing.F) {
	for _, s := range []string{"plain\n", "a\x1b[2Jb", "\xc2\x9b", "\xff\xfe", "tab\there"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := sanitize(in)
		if !utf8.Valid(out) {
			t.Fatalf("%q: not UTF-8: %q", in, out)
		}
		for _, r := range string(out) {
			if r != '\n' && r != '\t' && unicode.IsControl(r) {
				t.Fatalf("%q: control %U kept in %q", in, r, out)
			}
		}
		if utf8.Valid(in) && utf8.RuneCount(out) != utf8.RuneCount(in) {
			t.Fatalf("%q: rune count changed: %q", in, out)
		}
	})
}
