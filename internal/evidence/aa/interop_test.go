package aa_test

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/aa"
	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// TestChiptestChips checks Verify against chips personalised by chiptest,
// whose signing code was written apart from this package's tests: if either
// side misread Doc 9303, this would fail.
func TestChiptestChips(t *testing.T) {
	st, err := chiptest.NewState(chiptest.StateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	doc := &mrz.Document{
		Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON",
		GivenNames: []string{"ANNA"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1974, Month: 8, Day: 12}, Sex: "F",
		ExpiryDate: mrz.Date{Year: 2031, Month: 4, Day: 15},
	}
	for _, c := range []struct {
		name string
		aa   chiptest.AA
		typ  string
	}{
		{"RSA", chiptest.AARSA, "RSA-1024"},
		{"ECDSA", chiptest.AAECDSA, "EC P-256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			chip, err := st.Issue(chiptest.DocumentOptions{MRZ: doc, AA: c.aa})
			if err != nil {
				t.Fatal(err)
			}
			dg15, dg14 := chip.DataGroups[15], chip.DataGroups[14]
			key, err := aa.ParseDG15(dg15)
			if err != nil || key.Type != c.typ {
				t.Fatalf("ParseDG15: %v, %v", key, err)
			}
			for range 5 {
				ch := make([]byte, aa.ChallengeLen)
				rand.Read(ch)
				resp, err := chip.SignAA(ch)
				if err != nil {
					t.Fatal(err)
				}
				if err := aa.Verify(dg15, dg14, ch, resp); err != nil {
					t.Fatalf("genuine response refused: %v", err)
				}
				other := append([]byte(nil), ch...)
				other[7]++
				var e *aa.Error
				if err := aa.Verify(dg15, dg14, other, resp); !errors.As(err, &e) || e.Reason != aa.ReasonSignatureInvalid {
					t.Fatalf("response to another challenge: %v", err)
				}
			}
		})
	}
}
