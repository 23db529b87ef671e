package ida

import (
	"errors"
	"testing"
)

// acceptedRequests are verified_claims request elements the parser accepts; each must also pass the
// request schema.
var acceptedRequests = []string{
	`{"verification":{"trust_framework":null},"claims":{"given_name":null,"family_name":null}}`,
	`{"verification":{"trust_framework":{"value":"nist_800_63A"},"assurance_level":{"values":["ial2","ial3"]},"time":{"max_age":31536000}},
	  "claims":{"given_name":{"essential":true,"purpose":"To greet you by name"},"birthdate":null}}`,
	`{"verification":{"trust_framework":null,"time":null,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":{"values":["vcrypt","bvr"]}}],
	  "document_details":{"type":{"values":["passport","idcard"]},"issuer":{"country_code":null}}}]},"claims":null}`,
	`[{"verification":{"trust_framework":{"value":"nist_800_63A"},"assurance_level":{"value":"ial3"}},"claims":{"given_name":null}},
	  {"verification":{"trust_framework":{"value":"nist_800_63A"},"assurance_level":{"value":"ial2"}},"claims":{"given_name":null}}]`,
	`{"verification":{"trust_framework":null,"verification_process":{"essential":true},"assurance_process":{"policy":null,
	  "assurance_details":[{"assurance_type":null,"evidence_ref":[{"check_id":null,"evidence_metadata":{"evidence_classification":null}}]}]}},
	  "claims":{"email":null,"email_verified":null}}`,
	`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"vouch"},"attestation":{"type":null,"voucher":{"organization":null}},"check_details":[{"check_method":null}]}]},"claims":{"email":{"value":"maria@acme.example"}}}`,
	`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"electronic_signature"},"issuer":null,"serial_number":null,"created_at":{"max_age":60}},
	  {"type":{"value":"electronic_record"},"record":{"type":null,"source":{"name":null}}}]},"claims":{"family_name":null}}`,
}

// rejectedRequests must fail ParseClaimsRequest (invalid_request). schemaRejects marks those the
// request schema also rejects; the others are stricter rules of the spec text or of this package.
var rejectedRequests = map[string]string{
	"no verification":            `{"claims":{"given_name":null}}`,
	"no claims member":           `{"verification":{"trust_framework":null}}`,
	"no trust_framework":         `{"verification":{"time":null},"claims":{"given_name":null}}`,
	"empty claims":               `{"verification":{"trust_framework":null},"claims":{}}`,
	"extra member":               `{"verification":{"trust_framework":null},"claims":null,"txn":null}`,
	"value not string":           `{"verification":{"trust_framework":{"value":5}},"claims":null}`,
	"values empty":               `{"verification":{"trust_framework":{"values":[]}},"claims":null}`,
	"max_age negative":           `{"verification":{"trust_framework":null,"time":{"max_age":-1}},"claims":null}`,
	"max_age fraction":           `{"verification":{"trust_framework":null,"time":{"max_age":1.5}},"claims":null}`,
	"essential not bool":         `{"verification":{"trust_framework":null},"claims":{"given_name":{"essential":"yes"}}}`,
	"evidence not array":         `{"verification":{"trust_framework":null,"evidence":{"type":null}},"claims":null}`,
	"evidence without type":      `{"verification":{"trust_framework":null,"evidence":[{"check_details":null}]},"claims":null}`,
	"evidence type unknown":      `{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"selfie"}}]},"claims":null}`,
	"check without method":       `{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[{"organization":null}]}]},"claims":null}`,
	"empty evidence":             `{"verification":{"trust_framework":null,"evidence":[]},"claims":null}`,
	"verification array":         `[{"verification":[],"claims":null}]`,
	"evidence_ref without check": `{"verification":{"trust_framework":null,"assurance_process":{"assurance_details":[{"evidence_ref":[{"evidence_metadata":{}}]}]}},"claims":null}`,
	"document_details null":      `{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"document"},"document_details":null}]},"claims":null}`,
	"purpose too short":          `{"verification":{"trust_framework":null},"claims":{"given_name":{"purpose":"x"}}}`,
	"not an object":              `"verified"`,
	"empty array":                `[]`,
}

var schemaRejects = map[string]bool{
	"no verification": true, "no claims member": true, "no trust_framework": true, "empty claims": true,
	"extra member": true, "value not string": true, "values empty": true, "max_age negative": true,
	"max_age fraction": true, "essential not bool": true, "evidence not array": true, "evidence without type": true,
	"evidence type unknown": true, "check without method": true, "empty evidence": true, "verification array": true,
	"evidence_ref without check": true, "document_details null": true, "not an object": true,
}

func TestParseClaimsRequest(t *testing.T) {
	got, err := ParseClaimsRequest([]byte(`{"id_token":{"acr":{"essential":true},"verified_claims":` + acceptedRequests[1] + `},
		"userinfo":{"verified_claims":` + acceptedRequests[3] + `,"email":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.IDToken) != 1 || len(got.UserInfo) != 2 {
		t.Fatalf("got %d id_token and %d userinfo requests, want 1 and 2", len(got.IDToken), len(got.UserInfo))
	}
	r := got.IDToken[0]
	tf := r.Verification.Fields["trust_framework"]
	if tf == nil || tf.Value == nil || *tf.Value != TrustFrameworkNIST80063A {
		t.Errorf("trust_framework = %+v", tf)
	}
	if al := r.Verification.Fields["assurance_level"]; al == nil || len(al.Values) != 2 {
		t.Errorf("assurance_level = %+v", al)
	}
	if ti := r.Verification.Fields["time"]; ti == nil || ti.MaxAge == nil || *ti.MaxAge != 31536000 {
		t.Errorf("time = %+v", ti)
	}
	if gn := r.Claims["given_name"]; gn == nil || !gn.Essential || gn.Purpose != "To greet you by name" {
		t.Errorf("given_name = %+v", gn)
	}
	if bd, ok := r.Claims["birthdate"]; !ok || bd != nil {
		t.Errorf("birthdate = %+v, %v; want null element", bd, ok)
	}

	null, err := ParseVerifiedClaimsRequest([]byte(acceptedRequests[2]))
	if err != nil || null[0].Claims != nil {
		t.Errorf("claims:null: got %+v, %v; want nil Claims", null, err)
	}
	none, err := ParseClaimsRequest([]byte(`{"id_token":{"email":null}}`))
	if err != nil || none.IDToken != nil || none.UserInfo != nil {
		t.Errorf("no verified_claims: got %+v, %v", none, err)
	}
}

func TestParseClaimsRequestRejects(t *testing.T) {
	for name, rc := range rejectedRequests {
		_, err := ParseClaimsRequest([]byte(`{"userinfo":{"verified_claims":` + rc + `}}`))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	for _, doc := range []string{``, `null`, `[]`, `{"id_token":5}`, `{"id_token":null}`, `{"userinfo":{"verified_claims":null}}`} {
		if _, err := ParseClaimsRequest([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: err = %v, want ErrInvalid", doc, err)
		}
	}
	deep := `{"verification":{"trust_framework":null,"x":` + repeat(`{"a":`, 20) + `null` + repeat(`}`, 20) + `},"claims":null}`
	if _, err := ParseVerifiedClaimsRequest([]byte(deep)); !errors.Is(err, ErrInvalid) {
		t.Errorf("deep nesting: err = %v, want ErrInvalid", err)
	}
	big := make([]byte, MaxRequestSize+1)
	if _, err := ParseClaimsRequest(big); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversize: err = %v, want ErrInvalid", err)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
