package mrz

import (
	"errors"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"ABC", "ABC", 0},
		{"ABC", "ABD", 1},
		{"ABC", "AC", 1},
		{"AC", "ABC", 1},
		{"KITTEN", "SITTING", 3},
		{"AB\nCD", "  AB\r\n\nCD  ", 0}, // line breaks and surrounding space ignored
		{specimenTD3, strings.ReplaceAll(specimenTD3, "\n", ""), 0},
		{"", "ABC", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d; want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestAcceptCorrection(t *testing.T) {
	// OCR misread the expiry check digit 9 as 8 and an O as 0 in the state.
	ocr := replace(replace(specimenTD3, 2, 28, "8"), 1, 5, "0")
	tests := []struct {
		name      string
		ocr, fix  string
		max       int
		wantDist  int  // >0: a *CorrectionError with this distance
		wantCheck bool // a *CheckError
		wantErr   bool
	}{
		{name: "within distance", ocr: ocr, fix: specimenTD3, max: 2},
		{name: "OCR already valid", ocr: specimenTD3, fix: specimenTD3, max: 0},
		{name: "line breaks lost in OCR", ocr: strings.ReplaceAll(ocr, "\n", ""), fix: specimenTD3, max: 2},
		{name: "beyond distance", ocr: ocr, fix: specimenTD3, max: 1, wantDist: 2},
		{name: "another document", ocr: ocr, fix: specimenTD2, max: 5, wantDist: 29},
		{name: "check digit still wrong", ocr: ocr, fix: replace(specimenTD3, 2, 28, "8"), max: 2, wantCheck: true},
		{name: "huge OCR text", ocr: strings.Repeat("<", 5000), fix: specimenTD3, max: 2, wantErr: true},
		{name: "negative max", ocr: ocr, fix: specimenTD3, max: -1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := AcceptCorrection(tt.ocr, tt.fix, tt.max, now)
			var ce *CorrectionError
			var ck *CheckError
			switch {
			case tt.wantDist > 0:
				if !errors.As(err, &ce) || ce.Distance != tt.wantDist || ce.MaxEdits != tt.max {
					t.Fatalf("got %v; want a correction error at distance %d", err, tt.wantDist)
				}
			case tt.wantCheck:
				if !errors.As(err, &ck) {
					t.Fatalf("got %v; want a check digit error", err)
				}
			case tt.wantErr:
				if err == nil || errors.As(err, &ce) {
					t.Fatalf("got %v; want a plain error", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if d.DocumentNumber != "L898902C3" || d.IssuingState != "UTO" {
					t.Errorf("got %+v", d)
				}
			}
		})
	}
}
