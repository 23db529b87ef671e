package aamva

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseJurisdictions(t *testing.T) {
	tests := []struct {
		name, payload string
		want          func(l *License) string // "" when fine, else what is wrong
	}{
		{"virginia", virginia, func(l *License) string {
			if l.IIN != "636000" || l.Version != 10 || l.JurisdictionVersion != 1 || l.Type != "DL" {
				return "header"
			}
			if l.BirthDate != (Date{1986, 6, 6}) || l.ExpiryDate != (Date{2024, 12, 10}) || l.IssueDate != (Date{2019, 6, 6}) {
				return "dates"
			}
			if l.PostalCode != "232690000" || l.Sex != SexMale || l.RealID != ComplianceFull || l.FamilyTrunc != NotTruncated {
				return "fields"
			}
			if len(l.Jurisdiction) != 1 || l.Jurisdiction[0].Type != "ZV" || l.Jurisdiction[0].Elements[0] != (Element{"ZVA", "01"}) {
				return "Z subfile"
			}
			if len(l.Extra) != 10 || l.Extra[0] != (Element{"DCU", "JR"}) {
				return "extra"
			}
			return ""
		}},
		{"ontario", ontario, func(l *License) string {
			if l.Country != CountryCAN || l.BirthDate != (Date{1990, 7, 4}) || l.IssueDate != (Date{2023, 1, 15}) {
				return "canadian dates"
			}
			if l.FamilyTrunc != Truncated || l.Sex != SexFemale || l.Version != 9 || l.Jurisdiction != nil {
				return "fields"
			}
			return ""
		}},
		{"california", california, func(l *License) string {
			if l.Type != "ID" || l.Country != "" || l.BirthDate != (Date{1975, 11, 23}) || l.Sex != SexUnspecified {
				return "id card with IIN date fallback"
			}
			if l.FirstTrunc != TruncUnknown || l.Street2 != " APT 4" || l.Version != 8 {
				return "fields"
			}
			return ""
		}},
		{"texas", texas, func(l *License) string {
			if l.FileType != "AAMVA" || l.Jurisdiction[0].Elements[1] != (Element{"ZTB", ""}) {
				return "old file type / empty Z element"
			}
			return ""
		}},
		{"new york", newYork, func(l *License) string {
			if l.RealID != ComplianceNon || l.Number != "123456789" {
				return "fields"
			}
			return ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse([]byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.want(l); msg != "" {
				t.Fatalf("%s wrong: %+v", msg, l)
			}
			if tc.name != "california" && tc.name != "virginia" { // those two are checked in check_test
				if err := l.Check(now); err != nil {
					t.Fatalf("Check: %v", err)
				}
			}
			roundTrip(t, l)
		})
	}
}

// roundTrip encodes l, parses it back and requires an equal License with a consistent directory.
func roundTrip(t *testing.T, l *License) {
	t.Helper()
	p, err := Encode(l)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	back, err := Parse(p)
	if err != nil {
		t.Fatalf("Parse(Encode): %v\n%q", err, p)
	}
	for _, s := range back.layout.spans {
		if s.declOff != s.foundOff || s.declLen != s.foundLength {
			t.Fatalf("Encode wrote an inconsistent directory: %+v", s)
		}
	}
	a, b := *l, *back
	a.layout, b.layout = layout{}, layout{}
	if a.FileType == "" {
		a.FileType = "ANSI"
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip differs:\n%+v\n%+v", a, b)
	}
}

func TestParseErrors(t *testing.T) {
	hdr := "ANSI 6360001001"
	dl := func(e ...string) string { return build(hdr, lines("DL", e...)) }
	tests := []struct {
		name, payload string
		kind          error
		msg           string
	}{
		{"too large", strings.Repeat("x", MaxPayload+1), ErrTooLarge, "aamva: payload is larger"},
		{"short", "@\n\x1e\rANSI ", ErrHeader, "shorter than 21"},
		{"prefix", "@\n\x1c\rANSI 636000100101", ErrHeader, "@ LF RS CR"},
		{"file type", "@\n\x1e\rANSIX636000100101", ErrHeader, "file type"},
		{"digits", "@\n\x1e\rANSI 63600A100101", ErrHeader, "digits"},
		{"version 01", build("ANSI 6360000101", "DLDAQ1"), ErrHeader, "version 01"},
		{"no subfiles", "@\n\x1e\rANSI 636000100100", ErrHeader, "no subfiles"},
		{"directory cut", "@\n\x1e\rANSI 636000100102DL00410010", ErrDirectory, "2 entries"},
		{"bad type", strings.Replace(dl("DAQ1"), "DL0031", "XX0031", 1), ErrDirectory, "subfile type \"XX\""},
		{"bad offset", strings.Replace(dl("DAQ1"), "DL0031", "DL00x1", 1), ErrDirectory, "digits"},
		{"subfile missing", "@\n\x1e\rANSI 636000100101DL00310006IDDAQ1\r", ErrSubfile, "subfile DL: malformed subfile: not found"},
		{"no CR", strings.TrimSuffix(dl("DAQ1"), "\r"), ErrSubfile, "no segment terminator"},
		{"two DL", build(hdr, "DLDAQ1", "IDDAQ2"), ErrSubfile, "second DL or ID"},
		{"only Z", build(hdr, "ZVZVA1"), ErrDirectory, "no DL or ID"},
		{"short element", dl("DAQ1", "DC"), ErrElement, "three-character element id"},
		{"lower id", dl("DAQ1", "dcsX"), ErrElement, "three-character element id"},
		{"empty line", dl("DAQ1", "", "DCSX"), ErrElement, "three-character element id"},
		{"duplicate", dl("DAQ1", "DAQ2"), ErrElement, "element DAQ: malformed element: appears twice"},
		{"control", dl("DAQ1\x01"), ErrElement, "control character"},
		{"C1 control in UTF-8", dl("DCS\u0085"), ErrElement, "control character U+0085"},
		{"C1 control in ISO 8859-1", dl("DCS\x85"), ErrElement, "control character U+0085"},
		{"bad DBB", dl("DBB13011990", "DCGUSA"), ErrDate, "aamva: subfile DL: element DBB: invalid date: \"13011990\" is not a calendar date in MMDDCCYY"},
		{"CA date in US", dl("DBA19900101", "DCGUSA"), ErrDate, "element DBA"},
		{"short date", dl("DBD0101199"), ErrDate, "not eight digits"},
		{"US date in CA", build("ANSI 6360121001", lines("DL", "DBB01021990", "DCGCAN")), ErrDate, "CCYYMMDD"},
		{"unknown format", build("ANSI 9999991001", lines("DL", "DBB01021990")), ErrDateFormat, "date format unknown"},
		{"sex", dl("DBCM"), ErrElement, "sex \"M\""},
		{"country", dl("DCGMEX"), ErrElement, "country \"MEX\""},
		{"real id", dl("DDAY"), ErrElement, "REAL ID"},
		{"truncation", dl("DDEX"), ErrElement, "element DDE"},
		{"Z element", build(hdr, "DLDAQ1", "ZVZV"), ErrElement, "subfile ZV"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.payload))
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.msg)
			}
		})
	}
}

func TestParseLayoutGapsAndOverlap(t *testing.T) {
	// Two bytes of padding before ZV, with the directory pointing past them: parsed, flagged.
	p := strings.Replace(virginia, "ZV03190008", "ZV03210008", 1)
	p = strings.Replace(p, "DDD1\rZV", "DDD1\rxxZV", 1)
	l, err := Parse([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Check(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "subfile ZV: inconsistent data: 2 unexplained bytes") {
		t.Fatalf("Check = %v", err)
	}
	// A directory entry pointing back into an earlier subfile is not followed.
	p = build("ANSI 6360001002", "DLDAQ1", "ZVZVA1", "ZVZVA1")
	p = strings.TrimSuffix(strings.Replace(p, "ZV00650007", "ZV00580007", 1), "ZVZVA1\r")
	if _, err := Parse([]byte(p)); err == nil {
		t.Fatalf("overlapping subfiles accepted: %q", p)
	}
}

func TestParseLenientLayout(t *testing.T) {
	// A wrong directory offset, an LF before the CR and trailing bytes still parse; Check reports them.
	p := strings.Replace(ontario, "DL0031", "DL0099", 1)
	p = strings.Replace(p, "DCGCAN\r", "DCGCAN\n\r", 1) + "junk"
	l, err := Parse([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	err = l.Check(now)
	if !errors.Is(err, ErrInconsistent) || !strings.Contains(err.Error(), "offset 99") || !strings.Contains(err.Error(), "4 bytes after") {
		t.Fatalf("Check = %v", err)
	}
}

// Values are UTF-8 when valid UTF-8, else ISO 8859-1 (PDF417's default character set).
func TestParseCharacterSets(t *testing.T) {
	hdr := "ANSI 6360001001"
	for _, tc := range []struct{ name, payload, want string }{
		{"ASCII", build(hdr, lines("DL", "DCSMULLER")), "MULLER"},
		{"UTF-8", build(hdr, lines("DL", "DCSMÜLLER")), "MÜLLER"},
		{"ISO 8859-1", build(hdr, lines("DL", "DCSM\xdcLLER")), "MÜLLER"},
		{"ISO 8859-1 y diaeresis", build(hdr, lines("DL", "DCS\xff")), "ÿ"},
		{"ISO 8859-1 no-break space", build(hdr, lines("DL", "DCSA\xa0B")), "A\u00a0B"},
	} {
		l, err := Parse([]byte(tc.payload))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if l.FamilyName != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, l.FamilyName, tc.want)
		}
	}
}
