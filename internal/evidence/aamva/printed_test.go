package aamva

import (
	"slices"
	"testing"
)

func TestCrossCheck(t *testing.T) {
	ont := func() *License { return parsed(t, ontario) } // MACDONALD-FITZWILL (truncated), ANNE MARIE, A1234-56789-01234
	va := func() *License { return parsed(t, virginia) } // SAMPLE, MICHAEL JOHN, not truncated
	tests := []struct {
		name    string
		lic     func() *License
		mutate  func(l *License)
		printed Printed
		want    []string
	}{
		{"nothing compared", va, nil, Printed{}, nil},
		{"nothing readable printed", va, nil, Printed{FamilyName: " - ", GivenNames: "'", DocumentNumber: " "}, nil},
		{"all agree", va, nil, Printed{FamilyName: "Sample", GivenNames: "Michael John", DocumentNumber: "T64235789",
			DateOfBirth: Date{1986, 6, 6}, DateOfExpiry: Date{2024, 12, 10}, DateOfIssue: Date{2019, 6, 6}, Sex: SexMale}, nil},
		{"first name only printed", va, nil, Printed{GivenNames: "MICHAEL"}, nil},
		{"spaces and case in number", va, nil, Printed{DocumentNumber: "t 642 357 89"}, nil},
		{"truncated family name, full name printed", ont, nil, Printed{FamilyName: "MacDonald-Fitzwilliam"}, nil},
		{"truncated family name, hyphen printed as space", ont, nil, Printed{FamilyName: "MACDONALD FITZWILLIAMS"}, nil},
		{"truncated family name, different name", ont, nil, Printed{FamilyName: "MACDONALD-FITZ"}, []string{MismatchFamilyName}},
		{"not truncated: longer printed name differs", va, nil, Printed{FamilyName: "SAMPLES"}, []string{MismatchFamilyName}},
		{"diacritics and apostrophe", va, func(l *License) { l.FamilyName = "OBRIEN-LOPEZ" }, Printed{FamilyName: "O'Brien López"}, nil},
		{"diacritics in barcode", va, func(l *License) { l.FamilyName = "TREMBLAY-CÔTÉ" }, Printed{FamilyName: "Tremblay Cote"}, nil},
		{"sharp s and ligature", va, func(l *License) { l.FamilyName = "STRASSE AEBI" }, Printed{FamilyName: "Straße Æbi"}, nil},
		{"middle name differs", va, nil, Printed{GivenNames: "MICHAEL JAMES"}, []string{MismatchGivenNames}},
		{"middle names truncated in barcode", va, func(l *License) { l.MiddleName, l.MiddleTrunc = "JOHN,PAU", Truncated },
			Printed{GivenNames: "Michael John, Paul"}, nil},
		{"first name truncated in barcode", va, func(l *License) { l.FirstName, l.FirstTrunc = "MICH", Truncated },
			Printed{GivenNames: "Michael"}, nil},
		{"first name not flagged truncated", va, func(l *License) { l.FirstName = "MICH" }, Printed{GivenNames: "Michael"}, []string{MismatchGivenNames}},
		{"barcode lacks the name", va, func(l *License) { l.FamilyName, l.FirstName = "", "" }, Printed{FamilyName: "X", GivenNames: "Y"},
			[]string{MismatchFamilyName, MismatchGivenNames}},
		{"number differs", ont, nil, Printed{DocumentNumber: "A1234-56789-01235"}, []string{MismatchDocumentNumber}},
		{"dates differ", ont, nil, Printed{DateOfBirth: Date{1990, 4, 7}, DateOfExpiry: Date{2028, 7, 5}, DateOfIssue: Date{2023, 1, 15}},
			[]string{MismatchDateOfBirth, MismatchDateOfExpiry}},
		{"issue date differs", ont, nil, Printed{DateOfIssue: Date{2023, 1, 16}}, []string{MismatchDateOfIssue}},
		{"sex differs", ont, nil, Printed{Sex: SexMale}, []string{MismatchSex}},
		{"everything differs", va, nil, Printed{FamilyName: "A", GivenNames: "B", DocumentNumber: "C", DateOfBirth: Date{2000, 1, 1},
			DateOfExpiry: Date{2000, 1, 1}, DateOfIssue: Date{2000, 1, 1}, Sex: SexFemale},
			[]string{MismatchFamilyName, MismatchGivenNames, MismatchDocumentNumber, MismatchDateOfBirth, MismatchDateOfExpiry, MismatchDateOfIssue, MismatchSex}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.lic()
			if tc.mutate != nil {
				tc.mutate(l)
			}
			got := CrossCheck(l, tc.printed)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("CrossCheck = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Tremblay-Côté": "TREMBLAYCOTE", "O'Brien Jr.": "OBRIENJR", "Łódź": "LODZ",
		"Ñúñez": "NUNEZ", "Straße": "STRASSE", "A1234-56789": "A123456789", "  ": "", "Ærø": "AERO"} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCrossCheck: printed text is outside input (OCR, the user). CrossCheck must not panic, must
// name fields only, and a licence must agree with its own data.
func FuzzCrossCheck(f *testing.F) {
	f.Add([]byte(ontario), "MacDonald-Fitzwilliam", "Anne Marie", "A1234 56789 01234")
	f.Add([]byte(virginia), "Sample", "Michael", "t64235789")
	f.Add([]byte(california), "García", "Luis None", "")
	f.Fuzz(func(t *testing.T, payload []byte, family, given, number string) {
		l, err := Parse(payload)
		if err != nil {
			return
		}
		for _, r := range CrossCheck(l, Printed{FamilyName: family, GivenNames: given, DocumentNumber: number}) {
			if !slices.Contains([]string{MismatchFamilyName, MismatchGivenNames, MismatchDocumentNumber}, r) {
				t.Fatalf("reason %q", r)
			}
		}
		self := Printed{FamilyName: l.FamilyName, GivenNames: l.FirstName + " " + l.MiddleName, DocumentNumber: l.Number,
			DateOfBirth: l.BirthDate, DateOfExpiry: l.ExpiryDate, DateOfIssue: l.IssueDate, Sex: l.Sex}
		if got := CrossCheck(l, self); len(got) != 0 {
			t.Fatalf("licence disagrees with itself: %q", got)
		}
	})
}
