package oidcop

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigil-gw/vigil/internal/testenv/codeflow"
)

var claimsCases = []struct {
	name    string
	in      []string
	want    string
	wantErr bool
}{
	{"absent", nil, "", false},
	{"empty", []string{""}, "", false},
	{"id_token", []string{`{ "id_token": {"acr": {"essential": true, "values": ["urn:a"]}} }`}, `{"id_token":{"acr":{"essential":true,"values":["urn:a"]}}}`, false},
	{"null members", []string{`{"id_token":null,"userinfo":null}`}, `{"id_token":null,"userinfo":null}`, false},
	{"unknown member kept", []string{`{"x":1}`}, `{"x":1}`, false},
	{"twice", []string{`{}`, `{}`}, "", true},
	{"not json", []string{`{`}, "", true},
	{"array", []string{`[]`}, "", true},
	{"null", []string{`null`}, "", true},
	{"id_token string", []string{`{"id_token":"x"}`}, "", true},
	{"userinfo array", []string{`{"userinfo":[{}]}`}, "", true},
	{"trailing data", []string{`{} {}`}, "", true},
	{"too long", []string{`{"x":"` + strings.Repeat("a", maxClaimsParam) + `"}`}, "", true},
}

func TestParseClaimsParam(t *testing.T) {
	for _, tt := range claimsCases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseClaimsParam(tt.in)
			if (err != nil) != tt.wantErr || string(got) != tt.want {
				t.Fatalf("got %s %v, want %s (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzParseClaimsParam(f *testing.F) {
	for _, tt := range claimsCases {
		if len(tt.in) == 1 {
			f.Add(tt.in[0])
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseClaimsParam([]string{s})
		if err != nil {
			return
		}
		if got == nil {
			if s != "" {
				t.Fatalf("nil result for %q", s)
			}
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(got, &m) != nil || m == nil || len(got) > maxClaimsParam {
			t.Fatalf("accepted %q as %q", s, got)
		}
	})
}

func BenchmarkParseClaimsParam(b *testing.B) {
	in := []string{`{"id_token":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null,"family_name":null,"birthdate":null}}}}`}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseClaimsParam(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodeFlow measures a whole authorization over real HTTP on
// loopback: authorize, UI page, callback, token exchange.
func BenchmarkCodeFlow(b *testing.B) {
	e := newEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		v, ch := codeflow.PKCE()
		res := e.authorize(codeflow.Browser(b), ch, nil)
		if tok := e.exchange(res.Code, v); tok.Status != 200 {
			b.Fatalf("exchange: %d", tok.Status)
		}
	}
}
