package barcode

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
)

// symbol is one result as ZXingReader printed it.
type symbol struct {
	format string
	data   []byte
	failed bool // an "Error:" line: ZXingReader found the symbol but could not read it correctly
}

// maxOutput caps what is read from ZXingReader: a PDF417 symbol holds at most 1,850 text characters,
// so even many symbols printed three times over (text, bytes, bytes with ECI) stay far below it.
const maxOutput = 1 << 20

// parseOutput reads the default report of ZXingReader 1.4 run with -escape on one file: per symbol a
// block of "Key:  value" lines that starts with "Text:", blocks separated by blank lines, or the single
// line "No barcode found". The content is taken from the "Bytes:" line, the symbol's bytes in hex,
// never from "Text:", which is a lossy rendering (see doc.go). -escape matters for safety: without it
// the Text line holds the payload's own LF and CR, so a barcode could print lines that look like keys.
// Anything not in this shape is an error: a decoder whose output we do not understand is not trusted.
func parseOutput(out []byte) ([]symbol, error) {
	if len(out) > maxOutput {
		return nil, errf(ErrOutput, "more than 1 MiB of output")
	}
	var (
		syms        []symbol
		cur         *symbol
		seen        map[string]bool
		noneFound   bool
		lineNumbers int
	)
	finish := func() error {
		if cur == nil {
			return nil
		}
		if !seen["Bytes"] || !seen["Format"] {
			return errf(ErrOutput, "a result without Bytes or Format")
		}
		syms = append(syms, *cur)
		cur = nil
		return nil
	}
	for line := range bytes.SplitSeq(out, []byte{'\n'}) {
		lineNumbers++
		s := string(line)
		if strings.TrimSpace(s) == "" {
			continue
		}
		if s == "No barcode found" {
			noneFound = true
			continue
		}
		key, val, ok := strings.Cut(s, ":")
		if !ok || !plainKey(key) {
			return nil, errf(ErrOutput, fmt.Sprintf("line %d is not a key: value line", lineNumbers))
		}
		val = strings.TrimSpace(val)
		if key == "Text" {
			if err := finish(); err != nil {
				return nil, err
			}
			cur, seen = &symbol{}, map[string]bool{}
		}
		if cur == nil {
			return nil, errf(ErrOutput, fmt.Sprintf("line %d: %q before the first result", lineNumbers, key))
		}
		if seen[key] {
			return nil, errf(ErrOutput, fmt.Sprintf("line %d: %q twice in one result", lineNumbers, key))
		}
		seen[key] = true
		switch key {
		case "Bytes":
			b, err := parseHex(val)
			if err != nil {
				return nil, errf(ErrOutput, fmt.Sprintf("line %d: Bytes: %v", lineNumbers, err))
			}
			cur.data = b
		case "Format":
			cur.format = val
		case "Error":
			cur.failed = true
		}
		// Other keys (Identifier, Position, EC Level, ...) describe the symbol, not its content.
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if noneFound && len(syms) > 0 {
		return nil, errf(ErrOutput, `"No barcode found" beside a result`)
	}
	return syms, nil
}

// plainKey accepts the labels ZXingReader prints ("Text", "EC Level", "Issue #", "Structured Append").
func plainKey(k string) bool {
	if k == "" || len(k) > 24 || k[0] == ' ' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ' ' || c == '#' || c == '-') {
			return false
		}
	}
	return true
}

// parseHex reads "40 0A 1E": two hex digits per byte, separated by single spaces.
func parseHex(s string) ([]byte, error) {
	if s == "" {
		return []byte{}, nil
	}
	fields := strings.Split(s, " ")
	out := make([]byte, 0, len(fields))
	for i, f := range fields {
		if len(f) != 2 {
			return nil, fmt.Errorf("item %d is not two hex digits", i+1)
		}
		b, err := hex.DecodeString(f)
		if err != nil {
			return nil, fmt.Errorf("item %d is not two hex digits", i+1)
		}
		out = append(out, b[0])
	}
	return out, nil
}
