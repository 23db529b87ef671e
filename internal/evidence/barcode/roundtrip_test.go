package barcode

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/evidence/aamva"
)

// samples are licences laid out as Annex D of the AAMVA standard describes, one per layout the
// parser must handle. Every field is set the way Parse would return it, so Parse(Encode(l)) == l.
func samples() map[string]*aamva.License {
	return map[string]*aamva.License{
		// US driving licence, 2020 standard (version 10), US dates, a jurisdiction Z subfile.
		"virginia-dl-v10": {FileType: "ANSI", IIN: "636000", Version: 10, JurisdictionVersion: 1, Type: "DL",
			Number: "T64235789", FamilyName: "SAMPLE", FamilyTrunc: aamva.NotTruncated, FirstName: "MICHAEL",
			FirstTrunc: aamva.NotTruncated, MiddleName: "JOHN", MiddleTrunc: aamva.NotTruncated,
			IssueDate: aamva.Date{Year: 2019, Month: 6, Day: 6}, BirthDate: aamva.Date{Year: 1986, Month: 6, Day: 6},
			ExpiryDate: aamva.Date{Year: 2027, Month: 12, Day: 10}, Sex: aamva.SexMale,
			Street: "2300 WEST BROAD STREET", City: "RICHMOND", State: "VA", PostalCode: "232690000",
			Discriminator: "2424244747474786102204", Country: aamva.CountryUSA, RealID: aamva.ComplianceFull,
			Extra:        []aamva.Element{{ID: "DCA", Value: "D"}, {ID: "DCB", Value: "K"}, {ID: "DCD", Value: "PH"}, {ID: "DAU", Value: "068 in"}, {ID: "DAY", Value: "BRO"}},
			Jurisdiction: []aamva.Subfile{{Type: "ZV", Elements: []aamva.Element{{ID: "ZVA", Value: "01"}}}}},
		// US identification card (ID subfile), version 08, no DCG: dates read as US from the IIN.
		"california-id-v08": {FileType: "ANSI", IIN: "636014", Version: 8, JurisdictionVersion: 1, Type: "ID",
			Number: "D1234567", FamilyName: "GARCIA", FamilyTrunc: aamva.TruncUnknown, FirstName: "LUIS",
			FirstTrunc: aamva.TruncUnknown, IssueDate: aamva.Date{Year: 2021, Month: 3, Day: 1},
			BirthDate: aamva.Date{Year: 1975, Month: 11, Day: 23}, ExpiryDate: aamva.Date{Year: 2029, Month: 11, Day: 23},
			Sex: aamva.SexUnspecified, Street: "100 MAIN ST", Street2: "APT 4", City: "SACRAMENTO", State: "CA",
			PostalCode: "958140000", Discriminator: "03/01/2021123AB/CDFD/29"},
		// Canadian licence, version 09, CCYYMMDD dates, family name truncated on the card.
		"ontario-dl-v09": {FileType: "ANSI", IIN: "636012", Version: 9, JurisdictionVersion: 1, Type: "DL",
			Number: "A1234-56789-01234", FamilyName: "MACDONALD-FITZWILL", FamilyTrunc: aamva.Truncated,
			FirstName: "ANNE", FirstTrunc: aamva.NotTruncated, MiddleName: "MARIE", MiddleTrunc: aamva.NotTruncated,
			IssueDate: aamva.Date{Year: 2023, Month: 1, Day: 15}, BirthDate: aamva.Date{Year: 1990, Month: 7, Day: 4},
			ExpiryDate: aamva.Date{Year: 2028, Month: 7, Day: 4}, Sex: aamva.SexFemale, Street: "1 YONGE ST",
			City: "TORONTO", State: "ON", PostalCode: "M5E 1E5", Discriminator: "ON1234567", Country: aamva.CountryCAN},
		// Quebec identification card with accented names (UTF-8) and a Z subfile, CCYYMMDD dates.
		"quebec-id-v10-accents": {FileType: "ANSI", IIN: "604428", Version: 10, JurisdictionVersion: 0, Type: "ID",
			Number: "T1234-567890-12", FamilyName: "TREMBLAY-CÔTÉ", FirstName: "HÉLÈNE", MiddleName: "FRANÇOISE",
			FamilyTrunc: aamva.NotTruncated, FirstTrunc: aamva.NotTruncated, MiddleTrunc: aamva.NotTruncated,
			IssueDate: aamva.Date{Year: 2024, Month: 2, Day: 29}, BirthDate: aamva.Date{Year: 1961, Month: 12, Day: 31},
			ExpiryDate: aamva.Date{Year: 2030, Month: 2, Day: 28}, Sex: aamva.SexFemale,
			Street: "12 RUE SAINT-LOUIS", City: "QUÉBEC", State: "QC", PostalCode: "G1R 3Z2", Discriminator: "QC9876",
			Country: aamva.CountryCAN, Jurisdiction: []aamva.Subfile{{Type: "ZQ", Elements: []aamva.Element{{ID: "ZQA", Value: "É"}, {ID: "ZQB", Value: ""}}}}},
		// Older "AAMVA" file type, version 03, two Z subfiles, REAL ID non-compliant.
		"texas-dl-v03-aamva": {FileType: "AAMVA", IIN: "636015", Version: 3, JurisdictionVersion: 0, Type: "DL",
			Number: "12345678", FamilyName: "SMITH", FirstName: "JANE", IssueDate: aamva.Date{Year: 2020, Month: 1, Day: 2},
			BirthDate: aamva.Date{Year: 1980, Month: 2, Day: 3}, ExpiryDate: aamva.Date{Year: 2028, Month: 2, Day: 3},
			Sex: aamva.SexFemale, Street: "1 ELM ST", City: "AUSTIN", State: "TX", PostalCode: "78701",
			Discriminator: "0000000000000001", Country: aamva.CountryUSA, RealID: aamva.ComplianceNon,
			Jurisdiction: []aamva.Subfile{{Type: "ZT", Elements: []aamva.Element{{ID: "ZTA", Value: "X"}}},
				{Type: "ZX", Elements: []aamva.Element{{ID: "ZXA", Value: "Y~!@#$%^&*()_+|{}[]:;'<>,.?/"}}}}},
	}
}

// sameExported compares the exported fields of two licences: what a caller of Parse can see.
func sameExported(a, b *aamva.License) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		if !va.Type().Field(i).IsExported() {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return false
		}
	}
	return true
}

func TestRoundTripThroughImage(t *testing.T) {
	needTool(t, "ZXingReader")
	renderers := []struct {
		name   string
		render func(t testing.TB, payload []byte) []byte
	}{
		{"boombuler-png", func(t testing.TB, p []byte) []byte { return encodePNG(t, renderGo(t, p, 3)) }},
		{"zxingwriter-png", func(t testing.TB, p []byte) []byte { return renderZXing(t, p, !isASCII(p)) }},
		// Hand-held snapshots: a small skew, and a quarter turn. ZXingReader 1.4 reads PDF417 skewed by
		// up to about 4 degrees; from 5 degrees it misses many (the capture page must ask for a level shot).
		{"boombuler-photo-3deg-jpeg", func(t testing.TB, p []byte) []byte {
			return encodeJPEG(t, photo(renderGo(t, p, 3), 3, 0.8, 18, 1), 80)
		}},
		{"boombuler-photo-93deg-jpeg", func(t testing.TB, p []byte) []byte {
			return encodeJPEG(t, photo(renderGo(t, p, 3), 93, 1.4, 18, 1), 80)
		}},
	}
	for name, lic := range samples() {
		payload, err := aamva.Encode(lic)
		if err != nil {
			t.Fatalf("%s: Encode: %v", name, err)
		}
		want, err := aamva.Parse(payload)
		if err != nil {
			t.Fatalf("%s: Parse of the encoded payload: %v", name, err)
		}
		if !sameExported(want, lic) {
			t.Fatalf("%s: sample does not survive Encode/Parse without an image:\n%+v\n%+v", name, want, lic)
		}
		for _, r := range renderers {
			t.Run(name+"/"+r.name, func(t *testing.T) {
				img := r.render(t, payload)
				got, took, err := decode(t, img)
				if err != nil {
					t.Fatalf("DecodePDF417: %v", err)
				}
				t.Logf("%d-byte payload, %d-byte image, decoded in %v", len(payload), len(img), took)
				if !bytes.Equal(got, payload) {
					t.Fatalf("bytes differ:\n got %q\nwant %q", got, payload)
				}
				l, err := aamva.Parse(got)
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if !reflect.DeepEqual(l, want) || !sameExported(l, lic) {
					t.Fatalf("licence differs:\n got %+v\nwant %+v", l, lic)
				}
				if again, err := aamva.Encode(l); err != nil || !bytes.Equal(again, payload) {
					t.Fatalf("re-encoded payload differs (%v)", err)
				}
			})
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// TestRoundTripLatin1: many card printers write accented letters as ISO 8859-1 bytes with no ECI,
// the PDF417 default, and the directory counts those bytes. DecodePDF417 returns them unchanged;
// aamva.Parse reads them as ISO 8859-1, and the directory still matches. ZXingWriter, given UTF-8,
// writes the same bytes by default.
func TestRoundTripLatin1(t *testing.T) {
	needTool(t, "ZXingReader")
	body := "IDDAQT1234-567890-12\nDCSTREMBLAY-C\xd4T\xc9\nDDEN\nDACH\xc9L\xc8NE\nDDFN\nDBD20240229\nDBB19611231\n" +
		"DBA20300228\nDBC2\nDAG12 RUE SAINT-LOUIS\nDAIQU\xc9BEC\nDAJQC\nDAKG1R 3Z2\nDCFQC9876\nDCGCAN\r"
	z := "ZQZQA\xc9\r"
	payload := []byte(fmt.Sprintf("@\n\x1e\rANSI 604428100002ID%04d%04dZQ%04d%04d%s%s", 41, len(body), 41+len(body), len(z), body, z))
	var utf8Text []rune
	for _, c := range payload {
		utf8Text = append(utf8Text, rune(c))
	}
	for _, img := range map[string][]byte{
		"boombuler":   encodePNG(t, renderGo(t, payload, 3)),
		"zxingwriter": renderZXing(t, []byte(string(utf8Text)), false),
	} {
		got, _, err := decode(t, img)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("bytes:\n got %q\nwant %q", got, payload)
		}
		l, err := aamva.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		if l.FamilyName != "TREMBLAY-CÔTÉ" || l.FirstName != "HÉLÈNE" || l.City != "QUÉBEC" || l.Jurisdiction[0].Elements[0].Value != "É" {
			t.Fatalf("names: %+v", l)
		}
		if err := l.Check(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatalf("Check: %v", err)
		}
	}
}
