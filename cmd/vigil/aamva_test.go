package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/aamva"
)

// ontarioLicence is consistent and valid until 2028-07-04.
func ontarioLicence() *aamva.License {
	return &aamva.License{FileType: "ANSI", IIN: "636012", Version: 9, JurisdictionVersion: 1, Type: "DL",
		Number: "A1234-56789-01234", FamilyName: "MACDONALD-FITZWILL", FamilyTrunc: aamva.Truncated,
		FirstName: "ANNE", FirstTrunc: aamva.NotTruncated, MiddleName: "MARIE", MiddleTrunc: aamva.NotTruncated,
		IssueDate: aamva.Date{Year: 2023, Month: 1, Day: 15}, BirthDate: aamva.Date{Year: 1990, Month: 7, Day: 4},
		ExpiryDate: aamva.Date{Year: 2028, Month: 7, Day: 4}, Sex: aamva.SexFemale, Street: "1 YONGE ST",
		City: "TORONTO", State: "ON", PostalCode: "M5E 1E5", Discriminator: "ON1234567", Country: aamva.CountryCAN,
		Jurisdiction: []aamva.Subfile{{Type: "ZO", Elements: []aamva.Element{{ID: "ZOA", Value: "1"}}}}}
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func encodeLicence(t *testing.T, mutate func(*aamva.License)) []byte {
	t.Helper()
	l := ontarioLicence()
	if mutate != nil {
		mutate(l)
	}
	p, err := aamva.Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// zxingImage renders payload as a PDF417 PNG with Debian's ZXingWriter.
func zxingImage(t *testing.T, payload []byte) string {
	t.Helper()
	w, err := exec.LookPath("ZXingWriter")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ZXingWriter not found: install zxing-cpp-tools (Debian)")
		}
		t.Skip("ZXingWriter not found: install zxing-cpp-tools (Debian)")
	}
	out := filepath.Join(t.TempDir(), "barcode.png")
	if b, err := exec.Command(w, "-size", "1200x400", "-margin", "20", "PDF417", string(payload), out).CombinedOutput(); err != nil {
		t.Fatalf("ZXingWriter: %v %s", err, b)
	}
	return out
}

func TestAAMVAParse(t *testing.T) {
	good := writeFile(t, "good.txt", encodeLicence(t, nil))
	expired := writeFile(t, "expired.txt", encodeLicence(t, func(l *aamva.License) { l.ExpiryDate = aamva.Date{Year: 2024, Month: 1, Day: 1} }))
	broken := writeFile(t, "broken.txt", []byte("@\n\x1e\rANSI 636012090101DL00310010DLDAQ1"))
	junk := writeFile(t, "junk.txt", []byte("hello"))
	var blankPNG bytes.Buffer
	blank := image.NewGray(image.Rect(0, 0, 300, 100))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if err := png.Encode(&blankPNG, blank); err != nil {
		t.Fatal(err)
	}
	blankFile := writeFile(t, "blank.png", blankPNG.Bytes())
	tests := []struct {
		name   string
		args   []string
		stdin  string
		want   error // nil, errReported, usageError{} (any), or errOther (any other)
		outHas []string
		outNot []string
	}{
		{"payload ok", []string{"parse", good, "--at", "2025-03-01"}, "", nil,
			[]string{"source:      barcode text", "IIN 636012 (Ontario, ON)", "AAMVA version 09", "2 subfiles",
				"driving_permit A1234-56789-01234, issued 2023-01-15, expires 2028-07-04", "MACDONALD-FITZWILL, ANNE MARIE",
				"truncated:   family T", "subfile ZO:  ZOA=1", "ok    parse", "ok    consistency", "ok    expiry",
				"result:      ok (3 checks passed)", "never cryptographic"}, []string{"FAIL"}},
		{"flags before file", []string{"parse", "--at", "2025-03-01", good}, "", nil, []string{"result:      ok"}, nil},
		{"stdin", []string{"parse", "-", "--at", "2025-03-01"}, string(encodeLicence(t, nil)), nil, []string{"result:      ok"}, nil},
		{"expired", []string{"parse", expired, "--at", "2025-03-01"}, "", errReported,
			[]string{"FAIL  expiry: expired: expired on 2024-01-01", "result:      FAIL (1 of 3 checks failed)"}, nil},
		{"checked before issue", []string{"parse", good, "--at", "2022-12-31"}, "", errReported,
			[]string{"FAIL  consistency: aamva-inconsistent:DL:DBD: aamva: subfile DL: element DBD: inconsistent data: issue date 2023-01-15 is in the future"}, nil},
		{"printed agrees", []string{"parse", good, "--at", "2025-03-01", "--printed-family-name", "MacDonald-Fitzwilliam",
			"--printed-given-names", "Anne Marie", "--printed-birth", "1990-07-04", "--printed-number", "A1234 56789 01234"}, "", nil,
			[]string{"ok    printed", "result:      ok (4 checks passed)"}, nil},
		{"printed disagrees", []string{"parse", good, "--at", "2025-03-01", "--printed-birth", "1990-04-07", "--printed-expiry", "2028-07-04"}, "", errReported,
			[]string{"FAIL  printed: printed-mismatch:date_of_birth"}, []string{"date_of_expiry"}},
		{"unparseable payload", []string{"parse", broken}, "", errReported,
			[]string{"FAIL  parse: aamva-subfile:DL:", "result:      FAIL (1 of 1 checks failed)"}, []string{"header:"}},
		{"image", nil, "", nil, []string{"source:      image, decoded by ZXingReader in", "ok    decode", "result:      ok (4 checks passed)"}, nil},
		{"image without barcode", []string{"parse", blankFile}, "", errReported,
			[]string{"FAIL  decode: barcode-not-found: barcode: no PDF417 barcode found"}, nil},
		{"neither payload nor image", []string{"parse", junk}, "", errOther, nil, nil},
		{"missing file", []string{"parse", filepath.Join(t.TempDir(), "none")}, "", usageError{}, nil, nil},
		{"no file", []string{"parse"}, "", usageError{}, nil, nil},
		{"two files", []string{"parse", good, good}, "", usageError{}, nil, nil},
		{"not parse", []string{"check", good}, "", usageError{}, nil, nil},
		{"bad output", []string{"parse", good, "--output", "xml"}, "", usageError{}, nil, nil},
		{"bad at", []string{"parse", good, "--at", "01/02/2025"}, "", usageError{}, nil, nil},
		{"bad printed date", []string{"parse", good, "--printed-issue", "2025-02-30"}, "", usageError{}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.name == "image" {
				args = []string{"parse", zxingImage(t, encodeLicence(t, nil)), "--at", "2025-03-01"}
				if _, err := exec.LookPath("ZXingReader"); err != nil && os.Getenv("CI") == "" {
					t.Skip("ZXingReader not found: install zxing-cpp-tools (Debian)")
				}
			}
			if tc.name == "image without barcode" {
				if _, err := exec.LookPath("ZXingReader"); err != nil && os.Getenv("CI") == "" {
					t.Skip("ZXingReader not found: install zxing-cpp-tools (Debian)")
				}
			}
			var out, errs bytes.Buffer
			err := aamvaParse(args, strings.NewReader(tc.stdin), &out, &errs)
			var ue usageError
			switch {
			case tc.want == nil && err != nil,
				tc.want == errReported && !errors.Is(err, errReported),
				tc.want == usageError{} && !errors.As(err, &ue),
				tc.want == errOther && (err == nil || errors.Is(err, errReported) || errors.As(err, &ue)):
				t.Fatalf("err = %v, want %v\n%s%s", err, tc.want, out.String(), errs.String())
			}
			for _, s := range tc.outHas {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
			for _, s := range tc.outNot {
				if strings.Contains(out.String(), s) {
					t.Errorf("output has %q:\n%s", s, out.String())
				}
			}
		})
	}
}

var errOther = errors.New("any other error")

func TestAAMVAParseJSON(t *testing.T) {
	file := writeFile(t, "p.txt", encodeLicence(t, func(l *aamva.License) { l.ExpiryDate = aamva.Date{Year: 2024, Month: 1, Day: 1} }))
	var out, errs bytes.Buffer
	err := aamvaParse([]string{"parse", "--output", "json", file, "--at", "2025-03-01"}, nil, &out, &errs)
	if !errors.Is(err, errReported) {
		t.Fatalf("err = %v", err)
	}
	var rep struct {
		Source string `json:"source"`
		OK     bool   `json:"ok"`
		Header struct {
			IIN     string `json:"iin"`
			Version int    `json:"aamva_version"`
		} `json:"header"`
		Document struct {
			Type      string `json:"type"`
			ExpiresOn string `json:"date_of_expiry"`
		} `json:"document"`
		Holder struct {
			BirthDate string `json:"birthdate"`
		} `json:"holder"`
		Checks []aamvaCheck `json:"checks"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if rep.Source != "payload" || rep.OK || rep.Header.IIN != "636012" || rep.Header.Version != 9 ||
		rep.Document.Type != "driving_permit" || rep.Document.ExpiresOn != "2024-01-01" || rep.Holder.BirthDate != "1990-07-04" {
		t.Fatalf("report: %+v", rep)
	}
	want := []aamvaCheck{{Name: "parse", OK: true}, {Name: "consistency", OK: true},
		{Name: "expiry", OK: false, Reasons: []string{"expired"}, Details: []string{"expired on 2024-01-01"}}}
	if len(rep.Checks) != len(want) {
		t.Fatalf("checks: %+v", rep.Checks)
	}
	for i := range want {
		if rep.Checks[i].Name != want[i].Name || rep.Checks[i].OK != want[i].OK || strings.Join(rep.Checks[i].Reasons, ",") != strings.Join(want[i].Reasons, ",") {
			t.Fatalf("check %d: %+v, want %+v", i, rep.Checks[i], want[i])
		}
	}
}

// cmdAAMVA is what main dispatches to: the same command reading os.Stdin.
func TestCmdAAMVA(t *testing.T) {
	var out, errs bytes.Buffer
	if err := cmdAAMVA([]string{"parse", writeFile(t, "p.txt", encodeLicence(t, nil)), "--at", "2025-03-01"}, &out, &errs); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}
