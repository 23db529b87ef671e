package ida

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseVerifiedClaims: no panic; whatever parses marshals, re-parses and marshals to the same bytes,
// and Assurance and Filter never panic on it.
func FuzzParseVerifiedClaims(f *testing.F) {
	for _, s := range external {
		f.Add([]byte(s))
	}
	for _, vc := range buildAll(f) {
		b, _ := json.Marshal(vc)
		f.Add(b)
	}
	f.Add([]byte(`{"verification":{"trust_framework":"x","time":"2012-04-23T18:25Z"},"claims":{}}`))
	reqs, err := ParseVerifiedClaimsRequest([]byte(acceptedRequests[2]))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseVerifiedClaims(data)
		if err != nil {
			return
		}
		b1, err := json.Marshal(l)
		if err != nil {
			t.Fatalf("marshal parsed: %v", err)
		}
		l2, err := ParseVerifiedClaims(b1)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, b1)
		}
		b2, _ := json.Marshal(l2)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("not stable:\n%s\n%s", b1, b2)
		}
		for _, vc := range l {
			Assurance(vc)
			FilterAll([]VerifiedClaims{vc}, reqs, time.Unix(1_800_000_000, 0))
		}
	})
}

// FuzzParseClaimsRequest: no panic; an accepted request can be applied to every issued case.
func FuzzParseClaimsRequest(f *testing.F) {
	for _, rc := range acceptedRequests {
		f.Add([]byte(`{"id_token":{"verified_claims":` + rc + `}}`))
	}
	for _, rc := range rejectedRequests {
		f.Add([]byte(`{"userinfo":{"verified_claims":` + rc + `}}`))
	}
	held := buildAll(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cr, err := ParseClaimsRequest(data)
		if err != nil {
			return
		}
		for _, reqs := range [][]Request{cr.IDToken, cr.UserInfo} {
			for _, r := range reqs {
				if r.Verification == nil {
					t.Fatal("accepted request without verification")
				}
			}
			for _, vc := range FilterAll(held, reqs, verifiedAt) {
				if err := vc.Validate(); err != nil {
					t.Fatalf("filtered output invalid: %v", err)
				}
			}
		}
	})
}
