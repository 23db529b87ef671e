package review

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-gw/vigil/internal/httperr"
)

var decisionCases = []struct {
	name   string
	form   url.Values
	reject bool
	want   decision
	err    *httperr.Error
}{
	{"approve, no note", url.Values{"version": {"3"}}, false, decision{Version: 3}, nil},
	{"approve, note trimmed", url.Values{"version": {"1"}, "note": {"  ok \r\n fine "}}, false, decision{Version: 1, Note: "ok \n fine"}, nil},
	{"reject with reason", url.Values{"version": {"2"}, "reason": {"face-mismatch"}}, true, decision{Version: 2, Reason: "face-mismatch"}, nil},
	{"reject other with note", url.Values{"version": {"2"}, "reason": {"other"}, "note": {"why"}}, true, decision{Version: 2, Reason: "other", Note: "why"}, nil},
	{"reject without reason", url.Values{"version": {"2"}}, true, decision{}, errNoReason},
	{"reject unknown reason", url.Values{"version": {"2"}, "reason": {"FACE-MISMATCH"}}, true, decision{}, errNoReason},
	{"reject other, blank note", url.Values{"version": {"2"}, "reason": {"other"}, "note": {"   "}}, true, decision{}, errNoReason},
	{"missing version", url.Values{}, false, decision{}, errBadForm},
	{"negative version", url.Values{"version": {"-1"}}, false, decision{}, errBadForm},
	{"version not a number", url.Values{"version": {"1e3"}}, false, decision{}, errBadForm},
	{"control character", url.Values{"version": {"1"}, "note": {"a\x1b[31mb"}}, false, decision{}, errBadForm},
	{"invalid utf-8", url.Values{"version": {"1"}, "note": {"a\xffb"}}, false, decision{}, errBadForm},
	{"500 runes", url.Values{"version": {"1"}, "note": {strings.Repeat("é", 500)}}, false, decision{Version: 1, Note: strings.Repeat("é", 500)}, nil},
	{"501 runes", url.Values{"version": {"1"}, "note": {strings.Repeat("é", 501)}}, false, decision{}, errNoteTooLong},
}

func TestParseDecision(t *testing.T) {
	for _, tc := range decisionCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDecision(tc.form, tc.reject)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func FuzzParseDecision(f *testing.F) {
	for _, tc := range decisionCases {
		f.Add(tc.form.Encode(), tc.reject)
	}
	f.Fuzz(func(t *testing.T, raw string, reject bool) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		d, err := parseDecision(form, reject)
		if err != nil {
			var pe *httperr.Error
			if !errors.As(err, &pe) || pe.Status < 400 {
				t.Fatalf("error %v is not a client error page", err)
			}
			return
		}
		if !utf8.ValidString(d.Note) || utf8.RuneCountInString(d.Note) > maxNoteRunes || d.Version < 0 {
			t.Fatalf("accepted %+v", d)
		}
		if reject && d.Reason == "" {
			t.Fatal("reject accepted without a reason")
		}
	})
}

var stepsCases = []struct {
	name string
	in   string
	ok   bool
}{
	{"empty", "", true},
	{"seeded", strings.NewReplacer("%DOC%", "d", "%SELFIE%", "s").Replace(stepsJSON), true},
	{"email only", `{"email":{"address":"a@b.example","verified_at":"2026-03-01T00:00:00Z"}}`, true},
	{"correction pending", `{"document":{"evidence_id":"d","ocr_text":"P<UTO"}}`, true},
	{"corrected flag", `{"document":{"evidence_id":"d","corrected":true,"fields":{"expiry":"2030-01-01"}}}`, true},
	{"unknown step", `{"liveness":{"score":0.9}}`, true},
	{"not json", `{`, false},
	{"wrong type", `{"email":"a@b"}`, false},
	{"bad time", `{"selfie":{"at":"yesterday"}}`, false},
}

func TestParseSteps(t *testing.T) {
	for _, tc := range stepsCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSteps([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.name == "seeded" && (s.Document.Fields.FullName() != "ANNA MARIA ERIKSSON" || s.Selfie.EvidenceID != "s") {
				t.Fatalf("steps %+v", s)
			}
			if tc.name == "corrected flag" && (s.Document.Corrected == nil || !*s.Document.Corrected) {
				t.Fatal("corrected flag lost")
			}
		})
	}
	if _, err := ParseSteps(make([]byte, maxSteps+1)); err == nil {
		t.Fatal("oversized steps accepted")
	}
}

func FuzzParseSteps(f *testing.F) {
	for _, tc := range stepsCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSteps(b)
		if err != nil {
			return
		}
		if d := s.Document; d != nil && d.Fields != nil {
			_ = d.Fields.FullName()
			_, _ = d.Fields.ExpiryDate()
			_ = NamesMatch("Some Body", d.Fields)
		}
	})
}

func TestNamesMatch(t *testing.T) {
	doc := &DocumentFields{Surname: "ERIKSSON", GivenNames: []string{"ANNA", "MARIA"}}
	tests := []struct {
		claimed string
		want    bool
	}{
		{"Anna Maria Eriksson", true},
		{"ERIKSSON, Anna Maria", true},
		{"anna-maria eriksson", true},
		{"Anna Eriksson", false},
		{"Anna Maria Eriksson Smith", false},
		{"Ada Lovelace", false},
		{"", false},
		{"!!!", false},
	}
	for _, tc := range tests {
		if got := NamesMatch(tc.claimed, doc); got != tc.want {
			t.Errorf("NamesMatch(%q) = %v, want %v", tc.claimed, got, tc.want)
		}
	}
}

func TestFmtAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {45 * time.Second, "45s"}, {12 * time.Minute, "12m"},
		{3*time.Hour + 5*time.Minute, "3h 05m"}, {52 * time.Hour, "2d 4h"},
	}
	for _, tc := range tests {
		if got := fmtAge(tc.d); got != tc.want {
			t.Errorf("fmtAge(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc-DEF_123": true, "": false, "a/b": false, "a b": false, "..%2f": false, strings.Repeat("a", 129): false,
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v", id, got)
		}
	}
}
