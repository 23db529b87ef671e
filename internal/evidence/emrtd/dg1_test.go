package emrtd

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/mrz"
)

// ICAO Doc 9303 specimen MRZs (every check digit valid).
var (
	specimenTD3 = []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	specimenTD1 = []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
	specimenTD2 = []string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}
	// bsiMRZ is the MRZ in the BSI 2008 specimen's DG1.
	bsiMRZ = []string{"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", "C11T002JM4D<<9608122F1310317<<<<<<<<<<<<<<<6"}
)

// tlv encodes one element with a short or 0x81 length (enough for DG1).
func tlv(tag []byte, body []byte) []byte {
	out := append([]byte{}, tag...)
	if len(body) >= 0x80 {
		out = append(out, 0x81)
	}
	return append(append(out, byte(len(body))), body...)
}

func dg1Of(mrzText string) []byte {
	return tlv([]byte{0x61}, tlv([]byte{0x5f, 0x1f}, []byte(mrzText)))
}

func TestParseDG1(t *testing.T) {
	cases := []struct {
		name    string
		in      []byte
		format  mrz.Format
		surname string
		number  string
	}{
		{"BSI 2008 specimen", readData(t, "bsi2008/Datagroup1.bin"), mrz.TD3, "MUSTERMANN", "C11T002JM"},
		{"ICAO TD3", dg1Of(strings.Join(specimenTD3, "")), mrz.TD3, "ERIKSSON", "L898902C3"},
		{"ICAO TD1", dg1Of(strings.Join(specimenTD1, "")), mrz.TD1, "ERIKSSON", "D23145890"},
		{"ICAO TD2", dg1Of(strings.Join(specimenTD2, "")), mrz.TD2, "ERIKSSON", "D23145890"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDG1(tc.in, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if d.Format != tc.format || d.Surname != tc.surname || d.DocumentNumber != tc.number {
				t.Fatalf("got %v %q %q", d.Format, d.Surname, d.DocumentNumber)
			}
		})
	}
	d, err := ParseDG1(readData(t, "bsi2008/Datagroup1.bin"), testNow)
	if err != nil || !slices.Equal(d.Lines, bsiMRZ) || !slices.Equal(d.GivenNames, []string{"ERIKA"}) || d.IssuingState != "D" {
		t.Fatalf("BSI lines %q given %q state %q: %v", d.Lines, d.GivenNames, d.IssuingState, err)
	}
}

func TestParseDG1Rejects(t *testing.T) {
	td3 := strings.Join(specimenTD3, "")
	bsi := readData(t, "bsi2008/Datagroup1.bin")
	badDigit := []byte(td3)
	badDigit[44+9] = '7' // document number check digit
	lower := strings.Replace(td3, "ERIKSSON", "Eriksson", 1)
	cases := []struct {
		name   string
		in     []byte
		detail string // substring; must never be MRZ data
	}{
		{"empty", nil, "0x61"},
		{"trailing byte", append(bytes.Clone(bsi), 0x00), "0x61"},
		{"truncated", bsi[:len(bsi)-1], "0x61"},
		{"wrong outer tag", append([]byte{0x62}, bsi[1:]...), "0x61"},
		{"wrong inner tag", tlv([]byte{0x61}, tlv([]byte{0x5f, 0x20}, []byte(td3))), "5F1F"},
		{"second inner element", tlv([]byte{0x61}, append(tlv([]byte{0x5f, 0x1f}, []byte(td3)), 0x53, 0x00)), "5F1F"},
		{"89 characters", dg1Of(td3[:87] + "<<"), "89 characters"},
		{"87 characters", dg1Of(td3[:87]), "87 characters"},
		{"TD3 check digit", dg1Of(string(badDigit)), "check digit mismatch: " + mrz.FieldDocumentNumber},
		{"lower case", dg1Of(lower), "shape or character"},
		{"line break inside", dg1Of(td3[:43] + "\n" + td3[44:]), "shape or character"},
		{"oversized", append([]byte{0x61, 0x81, 0x80}, make([]byte, 0x80)...), "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDG1(tc.in, testNow)
			var e *Error
			if !errors.As(err, &e) || e.Reason != ReasonDG1Malformed || d != nil {
				t.Fatalf("want %s, got %v, %v", ReasonDG1Malformed, d, err)
			}
			if !strings.Contains(e.Detail, tc.detail) {
				t.Fatalf("detail %q lacks %q", e.Detail, tc.detail)
			}
			for _, secret := range []string{"ERIKSSON", "L898902C3", "740812", "120415"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q leaks MRZ data %q", err, secret)
				}
			}
		})
	}
}
