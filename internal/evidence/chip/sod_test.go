package chip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/evidence/pki"
)

const testdata = "../../../../shared/testdata/emrtd"

var countries = []string{"AT", "DE", "FR", "MY", "NZ", "US"}

func readData(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, rel))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("test data missing: %v", err)
		}
		t.Skipf("test data missing: %v", err)
	}
	return b
}

func reasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	if err != nil {
		return "untyped:" + err.Error()
	}
	return ""
}

func TestRealSODsVerify(t *testing.T) {
	for _, c := range append(countries, "BSI2008") {
		t.Run(c, func(t *testing.T) {
			path := "sod/" + c + "_EF_SOD.bin"
			if c == "BSI2008" {
				path = "bsi2008/EF_SOD.bin"
			}
			s, err := ParseSOD(readData(t, path))
			if err != nil {
				t.Fatalf("ParseSOD: %v", err)
			}
			if s.DocumentSigner == nil || len(s.DataGroupHashes) == 0 {
				t.Fatalf("no DS or no hashes: %+v", s)
			}
			if err := s.VerifySignature(); err != nil {
				t.Fatalf("VerifySignature: %v", err)
			}
			key := fmt.Sprintf("%T", s.DocumentSigner.PublicKey)
			if ec, ok := s.DocumentSigner.PublicKey.(*pki.ECPublicKey); ok {
				key = fmt.Sprintf("EC %s explicit=%v", ec.Curve.Name, ec.Explicit)
			}
			t.Logf("%s: %v, %d DG hashes, DS %q, %s", c, s.DigestAlgorithm, len(s.DataGroupHashes), s.DocumentSigner.Subject.CommonName, key)
		})
	}
}

func bsiGroups(t testing.TB) map[int][]byte {
	dgs := map[int][]byte{}
	for _, n := range []int{1, 2, 3, 4, 14, 15} {
		dgs[n] = readData(t, fmt.Sprintf("bsi2008/Datagroup%d.bin", n))
	}
	return dgs
}

func TestBSI2008DataGroups(t *testing.T) {
	s, err := ParseSOD(readData(t, "bsi2008/EF_SOD.bin"))
	if err != nil {
		t.Fatal(err)
	}
	dgs := bsiGroups(t)
	res := s.CheckDataGroups(dgs)
	// The specimen SOD hashes DG1, 2, 3 and 14 only; DG4 and DG15 are
	// shipped beside it but not covered.
	want := map[int]string{1: "", 2: "", 3: "", 4: "dg-missing-in-sod:DG4", 14: "", 15: "dg-missing-in-sod:DG15"}
	if len(res) != 6 {
		t.Fatalf("got %d results, want 6", len(res))
	}
	for _, r := range res {
		if r.Reason != want[r.DataGroup] || r.OK != (r.Reason == "") {
			t.Errorf("DG%d: %+v", r.DataGroup, r)
		}
	}
	dgs[5] = []byte{0x65, 0x00}
	dgs[2] = append([]byte{}, dgs[2]...)
	dgs[2][len(dgs[2])-1] ^= 1
	got := map[int]string{}
	for _, r := range s.CheckDataGroups(dgs) {
		got[r.DataGroup] = r.Reason
		if r.OK == (r.Reason != "") {
			t.Errorf("DG%d: OK and Reason disagree: %+v", r.DataGroup, r)
		}
	}
	if got[5] != "dg-missing-in-sod:DG5" || got[2] != "dg-hash-mismatch:DG2" || got[1] != "" {
		t.Errorf("reasons: %v", got)
	}
}

func TestSignerMatching(t *testing.T) {
	tests := []struct {
		name string
		a, b string // hex-free: built with pkix below
		want bool
	}{
		{"same order", "C=DE,O=X,CN=ca", "C=DE,O=X,CN=ca", true},
		{"other order", "CN=ca,O=X,C=DE", "C=DE,O=X,CN=ca", true},
		{"case and spaces", "C=DE,O=Bundes  Druckerei ,CN=CA", "C=DE,O=bundes druckerei,CN=ca", true},
		{"different value", "C=DE,O=X,CN=ca", "C=DE,O=Y,CN=ca", false},
		{"missing attribute", "C=DE,CN=ca", "C=DE,O=X,CN=ca", false},
		{"extra duplicate", "C=DE,O=X,O=X,CN=ca", "C=DE,O=X,CN=ca", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameName(mustName(t, tc.a), mustName(t, tc.b)); got != tc.want {
				t.Errorf("sameName = %v, want %v", got, tc.want)
			}
		})
	}
	if sameName([]byte{0x30, 0x01}, mustName(t, "C=DE")) {
		t.Error("garbage name matched")
	}
}

func TestParseRejects(t *testing.T) {
	good := readData(t, "sod/DE_EF_SOD.bin")
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"trailing data", append(append([]byte{}, good...), 0)},
		{"truncated", good[:len(good)-1]},
		{"wrong outer tag", append([]byte{0x30}, good[1:]...)},
		{"too large", make([]byte, maxSODSize+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSOD(tc.in); reasonOf(err) != ReasonMalformed {
				t.Errorf("err = %v, want %s", err, ReasonMalformed)
			}
		})
	}
	if !strings.Contains((&Error{Reason: "r", Detail: "d"}).Error(), "r: d") {
		t.Error("Error text")
	}
}
