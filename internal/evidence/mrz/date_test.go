package mrz

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// build encodes a TD3 MRZ holding the given birth and expiry dates (only
// the last two digits of each year reach the MRZ).
func build(t *testing.T, birth, expiry Date) string {
	t.Helper()
	lines, err := Encode(&Document{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON",
		GivenNames: []string{"ANNA"}, DocumentNumber: "L898902C3", Nationality: "UTO", Sex: "F",
		BirthDate: birth, ExpiryDate: expiry})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestCenturies(t *testing.T) {
	// now is 2026-05-01.
	tests := []struct {
		name          string
		birth, expiry Date // as written: two-digit years
		wantBirth     Date
		wantExpiry    Date
	}{
		{"specimen", Date{74, 8, 12}, Date{12, 4, 15}, Date{1974, 8, 12}, Date{2012, 4, 15}},
		{"baby born last year", Date{25, 1, 1}, Date{30, 1, 1}, Date{2025, 1, 1}, Date{2030, 1, 1}},
		{"born today", Date{26, 5, 1}, Date{31, 5, 1}, Date{2026, 5, 1}, Date{2031, 5, 1}},
		{"tomorrow is a century ago", Date{26, 5, 2}, Date{31, 5, 1}, Date{1926, 5, 2}, Date{2031, 5, 1}},
		{"born 1999", Date{99, 12, 31}, Date{75, 12, 31}, Date{1999, 12, 31}, Date{2075, 12, 31}},
		{"expired 50 years ago", Date{50, 1, 1}, Date{76, 6, 1}, Date{1950, 1, 1}, Date{1976, 6, 1}},
		{"leap day 2000", Date{2000, 2, 29}, Date{28, 2, 29}, Date{2000, 2, 29}, Date{2028, 2, 29}},
		{"unknown day", Date{74, 8, 0}, Date{12, 4, 15}, Date{1974, 8, 0}, Date{2012, 4, 15}},
		{"unknown month and day", Date{74, 0, 0}, Date{12, 4, 15}, Date{1974, 0, 0}, Date{2012, 4, 15}},
		{"wholly unknown", Date{}, Date{12, 4, 15}, Date{}, Date{2012, 4, 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(build(t, tt.birth, tt.expiry), now)
			if err != nil {
				t.Fatal(err)
			}
			if d.BirthDate != tt.wantBirth || d.ExpiryDate != tt.wantExpiry {
				t.Errorf("birth %s expiry %s; want %s and %s", d.BirthDate, d.ExpiryDate, tt.wantBirth, tt.wantExpiry)
			}
			if d.BirthDate.Unknown() != (tt.birth.Month == 0 || tt.birth.Day == 0 || tt.birth == Date{}) {
				t.Errorf("Unknown() = %v", d.BirthDate.Unknown())
			}
		})
	}
	if _, err := Parse(build(t, Date{74, 8, 12}, Date{27, 2, 29}), now); err == nil {
		t.Error("2027-02-29 accepted")
	}
}

func TestExpired(t *testing.T) {
	d, err := Parse(build(t, Date{74, 8, 12}, Date{26, 5, 1}), now)
	if err != nil {
		t.Fatal(err)
	}
	plus2 := time.FixedZone("UTC+2", 2*3600)
	tests := []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 4, 30, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 5, 1, 23, 59, 59, 0, time.UTC), false}, // valid through the expiry day
		{time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 5, 1, 23, 0, 0, 0, time.UTC).In(plus2), true}, // already 2 May there
		{time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := d.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%s) = %v; want %v", tt.now, got, tt.want)
		}
	}
}

func TestDateString(t *testing.T) {
	for d, want := range map[Date]string{{1974, 8, 12}: "1974-08-12", {1974, 8, 0}: "1974-08-XX", {}: "XXXX-XX-XX"} {
		if got := d.String(); got != want {
			t.Errorf("%#v.String() = %q; want %q", d, got, want)
		}
	}
}

// TestInputShapes covers the tolerated ways OCR hands over the text.
func TestInputShapes(t *testing.T) {
	want, err := Parse(specimenTD3, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"CRLF":             strings.ReplaceAll(specimenTD3, "\n", "\r\n"),
		"surrounding":      "\n\n  " + strings.ReplaceAll(specimenTD3, "\n", " \t\n\n ") + "\r\n\n",
		"one line":         strings.ReplaceAll(specimenTD3, "\n", ""),
		"trailing newline": specimenTD3 + "\n",
	} {
		got, err := Parse(text, now)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %v", name, got, err)
		}
	}
	for name, text := range map[string]string{
		"TD1 on one line": strings.ReplaceAll(specimenTD1, "\n", ""),
		"TD2 on one line": strings.ReplaceAll(specimenTD2, "\n", ""),
	} {
		if _, err := Parse(text, now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestEncode covers the layouts the specimens do not: a long TD2 number,
// an unspecified sex, optional data behind a long number, and bad input.
func TestEncode(t *testing.T) {
	docs := []Document{
		{Format: TD2, DocumentCode: "ID", IssuingState: "D", Surname: "VAN DER BERG", GivenNames: []string{"JAN"},
			DocumentNumber: "AB1234567890", Nationality: "D", BirthDate: Date{1990, 1, 0}, Sex: "X",
			ExpiryDate: Date{2030, 12, 31}, OptionalData1: "12"},
		{Format: TD1, DocumentCode: "AC", IssuingState: "UTO", Surname: "MADONNA", DocumentNumber: "D23145890734",
			Nationality: "UTO", BirthDate: Date{1958, 8, 16}, Sex: "F", ExpiryDate: Date{2030, 1, 1},
			OptionalData1: "X9", OptionalData2: "<<7"},
		{Format: TD3, DocumentCode: "PD", IssuingState: "D", Surname: "MUSTERMANN", GivenNames: []string{"ERIKA"},
			DocumentNumber: "C01X00T47", Nationality: "D", BirthDate: Date{1964, 8, 12}, Sex: "F",
			ExpiryDate: Date{2027, 10, 31}},
	}
	for _, doc := range docs {
		lines, err := Encode(&doc)
		if err != nil {
			t.Fatalf("%s: %v", doc.Surname, err)
		}
		got, err := Parse(strings.Join(lines, "\n"), now)
		if err != nil {
			t.Fatalf("%s: %q: %v", doc.Surname, lines, err)
		}
		doc.Lines = lines
		if !reflect.DeepEqual(*got, doc) {
			t.Errorf("round trip:\ngot  %+v\nwant %+v", *got, doc)
		}
	}
	bad := []Document{
		{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "X", DocumentNumber: "1234567890", Nationality: "UTO", Sex: "F"},
		{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "x", DocumentNumber: "1", Nationality: "UTO", Sex: "F"},
		{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: strings.Repeat("A", 40), DocumentNumber: "1", Nationality: "UTO", Sex: "F"},
		{Format: TD1, DocumentCode: "I", IssuingState: "UTO", Surname: "A", DocumentNumber: "1", Nationality: "UTO", Sex: "Q"},
		{Format: 0, DocumentCode: "I", IssuingState: "UTO", Surname: "A", DocumentNumber: "1", Nationality: "UTO", Sex: "M"},
	}
	for i, doc := range bad {
		if lines, err := Encode(&doc); err == nil {
			t.Errorf("bad[%d] encoded as %q", i, lines)
		}
	}
}
