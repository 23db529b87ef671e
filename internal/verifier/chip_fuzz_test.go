package verifier

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeChipUpload: whatever a reader client sends, decoding returns a
// reading or an API error, never a panic, and never a reading without a SOD
// or with a data group number outside 1..16.
func FuzzDecodeChipUpload(f *testing.F) {
	for _, s := range []string{
		`{"ef_sod":"AA==","data_groups":{"1":"YQA=","2":"dQA="},"active_authentication":{"challenge":"AAAAAAAAAAA=","signature":"AA=="}}`,
		`{"ef_sod":"AA==","ef_com":"YAA="}`,
		`{"data_groups":{"16":"AA==","0":"AA=="}}`,
		`{"ef_sod":"%%"}`, `[]`, `null`, `{"ef_sod":"AA==","x":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/chip/upload", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		got, err := decodeChipUpload(httptest.NewRecorder(), r)
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("error %T is not an API error", err)
			}
			return
		}
		if len(got.in.SOD) == 0 && !strings.Contains(body, `"ef_sod"`) {
			t.Fatal("a reading without ef_sod")
		}
		for n := range got.in.DataGroups {
			if n < 1 || n > 16 {
				t.Fatalf("data group %d accepted", n)
			}
		}
	})
}
