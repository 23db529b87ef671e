package main

import (
	"io"
	"unicode"
	"unicode/utf8"
)

// terminalSafe writes table output built from what the server returns
// (names and emails from identity providers, reasons from transmitters,
// audit records) with every control character but tab and newline, and
// every byte that is not UTF-8, shown as U+FFFD: such text must not move
// the cursor, retitle the window or hide a line on the operator's terminal.
// JSON output needs no filter; encoding/json escapes them.
func terminalSafe(w io.Writer) io.Writer { return safeWriter{w} }

type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if _, err := s.w.Write(sanitize(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// sanitize returns p, or a copy with controls and invalid bytes replaced.
func sanitize(p []byte) []byte {
	clean := true
	for i := 0; i < len(p) && clean; {
		r, n := utf8.DecodeRune(p[i:])
		clean = !unsafeRune(r, n)
		i += n
	}
	if clean {
		return p
	}
	out := make([]byte, 0, len(p)+8)
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if unsafeRune(r, n) {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, p[i:i+n]...)
		}
		i += n
	}
	return out
}

func unsafeRune(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return true // not UTF-8: a lone 0x9b is CSI to an 8-bit terminal
	}
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}
