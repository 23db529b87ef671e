package chiptest_test

import (
	"bytes"
	"crypto"
	"os"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/chip"
	"github.com/vigil-gw/vigil/internal/evidence/chip/chiptest"
	"github.com/vigil-gw/vigil/internal/evidence/dg2"
	"github.com/vigil-gw/vigil/internal/evidence/mrz"
	"github.com/vigil-gw/vigil/internal/evidence/pki"
	"github.com/vigil-gw/vigil/internal/evidence/trust"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func holder() *mrz.Document {
	return &mrz.Document{
		Format: mrz.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON",
		GivenNames: []string{"ANNA", "MARIA"}, DocumentNumber: "L898902C3", Nationality: "UTO",
		BirthDate: mrz.Date{Year: 1974, Month: 8, Day: 12}, Sex: "F",
		ExpiryDate: mrz.Date{Year: 2031, Month: 4, Day: 15},
	}
}

// TestIssuedChipPassesPassiveAuthentication checks the generated files with
// the real verifier packages: if the issuer side were wrong, chip, trust,
// dg2 or mrz would refuse it.
func TestIssuedChipPassesPassiveAuthentication(t *testing.T) {
	face, err := os.ReadFile("../../../../../shared/testdata/emrtd/dg2/ISO19794_5_Test1_Face.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		st   chiptest.StateOptions
		doc  chiptest.DocumentOptions
	}{
		{"ecdsa-sha256-rsa-aa", chiptest.StateOptions{Now: now}, chiptest.DocumentOptions{Portrait: face, AA: chiptest.AARSA}},
		{"rsa-sha512-ec-aa", chiptest.StateOptions{Now: now, RSA: true}, chiptest.DocumentOptions{Portrait: face, AA: chiptest.AAECDSA, Hash: crypto.SHA512}},
		{"no-portrait-no-aa", chiptest.StateOptions{Now: now, Country: "XX"}, chiptest.DocumentOptions{Hash: crypto.SHA1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := chiptest.NewState(tc.st)
			if err != nil {
				t.Fatal(err)
			}
			tc.doc.MRZ = holder()
			c, err := st.Issue(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			sod, err := chip.ParseSOD(c.SOD)
			if err != nil {
				t.Fatal(err)
			}
			if err := sod.VerifySignature(); err != nil {
				t.Fatal(err)
			}
			for _, r := range sod.CheckDataGroups(c.DataGroups) {
				if !r.OK {
					t.Errorf("DG%d: %s", r.DataGroup, r.Reason)
				}
			}
			if len(sod.DataGroupHashes) != len(c.DataGroups) {
				t.Errorf("SOD lists %d groups, chip has %d", len(sod.DataGroupHashes), len(c.DataGroups))
			}
			csca, err := pki.ParseCertificate(st.CSCA.Raw)
			if err != nil {
				t.Fatal(err)
			}
			store := trust.NewStore()
			if _, err := store.AddCSCA(csca); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Chain(sod.DocumentSigner, now); err != nil {
				t.Fatalf("chain: %v", err)
			}
			if tc.doc.Portrait != nil {
				f, err := dg2.Parse(c.DataGroups[2])
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(f.Image, face) {
					t.Error("DG2 image differs from the portrait")
				}
			}
			if c.COM[0] != 0x60 {
				t.Errorf("EF.COM tag %#x", c.COM[0])
			}
			sig, err := c.SignAA(make([]byte, 8))
			if (err == nil) != (tc.doc.AA != chiptest.AANone) || (err == nil && len(sig) == 0) {
				t.Errorf("SignAA: %d bytes, %v", len(sig), err)
			}
		})
	}
}

func TestIssueNeedsMRZ(t *testing.T) {
	st, err := chiptest.NewState(chiptest.StateOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Issue(chiptest.DocumentOptions{}); err == nil {
		t.Fatal("Issue without MRZ succeeded")
	}
	if _, err := st.Issue(chiptest.DocumentOptions{MRZ: holder(), Portrait: []byte("not a jpeg")}); err == nil {
		t.Fatal("Issue with a non-JPEG portrait succeeded")
	}
}
