package barcode

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Real reports of ZXingReader 1.4.0 (Debian zxing-cpp-tools), captured with -format PDF417 -escape
// unless the name says otherwise.
func readReport(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "zxingreader-1.4", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseOutput(t *testing.T) {
	one := "Text:       \"A<LF>\"\nBytes:      41 0A\nFormat:     PDF417\n"
	tests := []struct {
		name   string
		out    []byte
		want   []symbol // nil with wantErr
		errSub string   // "" means no error
	}{
		{"real one symbol", readReport(t, "one.txt"), []symbol{{format: "PDF417",
			data: []byte("@\n\x1e\rANSI 636000100102DL00410030ZV00710010DLDAQ1\nDCSM\xdcLLER\rZVZVA01\r")}}, ""},
		{"real two symbols", readReport(t, "two.txt"), []symbol{{format: "PDF417", data: []byte("FIRST\nSYMBOL\r\x1e")},
			{format: "PDF417", data: []byte("SECOND SYMBOL Ü")}}, ""},
		{"real none", readReport(t, "none.txt"), nil, ""},
		{"real unescaped: the payload's line breaks reach the report", readReport(t, "one-unescaped.txt"), nil, "not a key: value line"},
		{"empty output", []byte{}, nil, ""},
		{"minimal", []byte(one), []symbol{{format: "PDF417", data: []byte("A\n")}}, ""},
		{"empty content", []byte("Text: \"\"\nBytes:\nFormat: PDF417\n"), []symbol{{format: "PDF417", data: []byte{}}}, ""},
		{"error line", []byte(one + "Error:      ChecksumError\n"), []symbol{{format: "PDF417", data: []byte("A\n"), failed: true}}, ""},
		{"other format", []byte("Text: \"x\"\nBytes: 78\nFormat: QRCode\n"), []symbol{{format: "QRCode", data: []byte("x")}}, ""},
		{"no Bytes", []byte("Text: \"x\"\nFormat: PDF417\n"), nil, "without Bytes or Format"},
		{"no Format", []byte("Text: \"x\"\nBytes: 78\n"), nil, "without Bytes or Format"},
		{"Bytes twice", []byte("Text: \"x\"\nBytes: 78\nBytes: 79\nFormat: PDF417\n"), nil, "twice"},
		{"key before Text", []byte("Bytes: 78\nText: \"x\"\nFormat: PDF417\n"), nil, "before the first result"},
		{"bad hex", []byte("Text: \"x\"\nBytes: 7G\nFormat: PDF417\n"), nil, "not two hex digits"},
		{"odd hex", []byte("Text: \"x\"\nBytes: 787\nFormat: PDF417\n"), nil, "not two hex digits"},
		{"double space hex", []byte("Text: \"x\"\nBytes: 78  79\nFormat: PDF417\n"), nil, "not two hex digits"},
		{"none and a result", []byte("No barcode found\n" + one), nil, "beside a result"},
		{"unknown line", []byte(one + "Reader Initialisation/Programming\n"), nil, "not a key: value line"},
		{"too large", bytes.Repeat([]byte("x"), maxOutput+1), nil, "more than 1 MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOutput(tc.out)
			if tc.errSub != "" {
				if !errors.Is(err, ErrOutput) || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d symbols, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].format != tc.want[i].format || got[i].failed != tc.want[i].failed || !bytes.Equal(got[i].data, tc.want[i].data) {
					t.Fatalf("symbol %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// FuzzParseOutput: ZXingReader's report is outside input (it repeats what the barcode says). The
// parser must never panic, and what it accepts must print back, with -escape, to a report that
// parses to the same symbols.
func FuzzParseOutput(f *testing.F) {
	for _, name := range []string{"one.txt", "two.txt", "none.txt", "one-unescaped.txt"} {
		f.Add(readReport(f, name))
	}
	f.Add([]byte("Text: \"x\"\nBytes: 78\nFormat: PDF417\nError: x\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		syms, err := parseOutput(out)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason != "barcode-decoder-output" {
				t.Fatalf("error %v is not a barcode-decoder-output *Error", err)
			}
			return
		}
		var b strings.Builder
		for i, s := range syms {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString("Text: \"\"\nBytes: ")
			for j, c := range s.data {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strings.ToUpper(string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])))
			}
			b.WriteString("\nFormat: " + s.format + "\n")
			if s.failed {
				b.WriteString("Error: x\n")
			}
		}
		again, err := parseOutput([]byte(b.String()))
		if err != nil || len(again) != len(syms) {
			t.Fatalf("reprinted report: %v, %d symbols, want %d", err, len(again), len(syms))
		}
		for i := range syms {
			if !bytes.Equal(again[i].data, syms[i].data) || again[i].format != syms[i].format || again[i].failed != syms[i].failed {
				t.Fatalf("symbol %d changed", i)
			}
		}
	})
}
