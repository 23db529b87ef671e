package aamva

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func parsed(t *testing.T, p string) *License {
	t.Helper()
	l, err := Parse([]byte(p))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(l *License)
		want   []string // substrings; none means Check passes
	}{
		{"consistent", func(*License) {}, nil},
		{"expiry before issue", func(l *License) { l.ExpiryDate = Date{2019, 1, 1} }, []string{"element DBA: inconsistent data: expiry"}},
		{"birth after issue", func(l *License) { l.BirthDate = Date{2023, 2, 1} }, []string{"birth 2023-02-01 is not before issue"}},
		{"issued in future", func(l *License) { l.IssueDate = Date{2024, 6, 2} }, []string{"in the future"}},
		{"born in future", func(l *License) { l.BirthDate, l.IssueDate = Date{2025, 1, 1}, Date{} }, []string{"birth date 2025-01-01 is in the future"}},
		{"too old", func(l *License) { l.BirthDate = Date{1890, 1, 1} }, []string{"would be 134 years old"}},
		{"too young to drive", func(l *License) { l.BirthDate = Date{2010, 1, 1} }, []string{"was 13 at issue"}},
		{"missing", func(l *License) { l.FamilyName, l.Sex, l.BirthDate = "", SexAbsent, Date{} }, []string{"element DCS: required element missing", "element DBC", "element DBB"}},
		{"country vs IIN", func(l *License) { l.Country = CountryUSA }, []string{"IIN 636012 belongs to Ontario"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := parsed(t, ontario)
			tc.mutate(l)
			err := l.Check(now)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInconsistent) && !errors.Is(err, ErrMissing) {
				t.Fatalf("kind: %v", err)
			}
			for _, w := range tc.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("Check = %v, want %q", err, w)
				}
			}
		})
	}
	// The ID card may be held by a child; the Virginia sample lacks nothing but is checked as of its issue.
	if err := parsed(t, virginia).Check(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := parsed(t, california).Check(now); err == nil || !strings.Contains(err.Error(), "element DCG: required") {
		t.Fatalf("california without DCG: %v", err)
	}
}

func TestExpired(t *testing.T) {
	l := &License{ExpiryDate: Date{2024, 6, 1}}
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2024, 5, 31, 9, 59, 59, 0, time.UTC), false},
		{time.Date(2024, 5, 31, 10, 0, 0, 0, time.UTC), true}, // 2024-06-01 00:00 in UTC+14
		{time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		if got := l.Expired(tc.at); got != tc.want {
			t.Errorf("Expired(%v) = %v", tc.at, got)
		}
	}
	if !(&License{}).Expired(now) {
		t.Error("no expiry date must count as expired")
	}
}

func TestDocumentDetails(t *testing.T) {
	tests := []struct {
		payload string
		want    DocumentDetails
	}{
		{ontario, DocumentDetails{DocumentDrivingPermit, "A1234-56789-01234", Date{2023, 1, 15}, Date{2028, 7, 4}, "CAN", "Ontario", "ON"}},
		{california, DocumentDetails{DocumentIDCard, "D1234567", Date{2021, 3, 1}, Date{2029, 11, 23}, "USA", "California", "CA"}},
		{build("ANSI 9999991001", lines("DL", "DAQX", "DCGUSA")), DocumentDetails{Type: DocumentDrivingPermit, Number: "X", IssuerCountry: "USA"}},
	}
	for _, tc := range tests {
		if got := parsed(t, tc.payload).DocumentDetails(); got != tc.want {
			t.Errorf("got %+v\nwant %+v", got, tc.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	ok := func() *License { return parsed(t, ontario) }
	tests := []struct {
		name   string
		mutate func(l *License)
		kind   error
	}{
		{"file type", func(l *License) { l.FileType = "X" }, ErrHeader},
		{"iin", func(l *License) { l.IIN = "12" }, ErrHeader},
		{"version", func(l *License) { l.Version = 1 }, ErrHeader},
		{"type", func(l *License) { l.Type = "ZZ" }, ErrSubfile},
		{"z type", func(l *License) { l.Jurisdiction = []Subfile{{Type: "DL"}} }, ErrSubfile},
		{"country", func(l *License) { l.Country = "MEX" }, ErrElement},
		{"date format", func(l *License) { l.Country, l.IIN = "", "999999" }, ErrDateFormat},
		{"bad date", func(l *License) { l.BirthDate = Date{2023, 2, 29} }, ErrElement},
		{"sex", func(l *License) { l.Sex = 3 }, ErrElement},
		{"extra known", func(l *License) { l.Extra = []Element{{"DAQ", "1"}} }, ErrElement},
		{"extra id", func(l *License) { l.Extra = []Element{{"da", "1"}} }, ErrElement},
		{"extra dup", func(l *License) { l.Extra = []Element{{"DCU", "1"}, {"DCU", "2"}} }, ErrElement},
		{"control", func(l *License) { l.City = "A\nB" }, ErrElement},
		{"padding", func(l *License) { l.City = "A " }, ErrElement},
		{"too long", func(l *License) { l.City = strings.Repeat("A", 10000) }, ErrDirectory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := ok()
			tc.mutate(l)
			if _, err := Encode(l); !errors.Is(err, tc.kind) {
				t.Fatalf("Encode = %v, want %v", err, tc.kind)
			}
		})
	}
	if _, err := Encode(nil); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}
