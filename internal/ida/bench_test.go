package ida

import (
	"encoding/json"
	"testing"
)

func BenchmarkParseVerifiedClaims(b *testing.B) {
	vc, err := issued[3].build()
	if err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(vc)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseVerifiedClaims(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilter(b *testing.B) {
	vc, err := issued[3].build()
	if err != nil {
		b.Fatal(err)
	}
	reqs, err := ParseVerifiedClaimsRequest([]byte(acceptedRequests[2]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Filter(vc, reqs[0], verifiedAt); !ok {
			b.Fatal("omitted")
		}
	}
}

func BenchmarkParseClaimsRequest(b *testing.B) {
	data := []byte(`{"id_token":{"verified_claims":` + acceptedRequests[2] + `}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseClaimsRequest(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAtLeast(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if !AtLeast(IAL3, IAL2) {
			b.Fatal("ladder")
		}
	}
}
