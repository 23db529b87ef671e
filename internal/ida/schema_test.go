package ida

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaBase = "https://bitbucket.org/openid/ekyc-ida/raw/master/schema/"

// schemas compiles the three IDA schemas once, with format assertion on (date-time, date), so that the
// tests check formats as a strict RP would. Every schema is added by its $id: nothing is fetched.
var schemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{"claims_schema.json", "verified_claims.json", "verified_claims_request.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "schema", f))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(schemaBase+f, doc); err != nil {
			return nil, err
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, f := range []string{"verified_claims.json", "verified_claims_request.json"} {
		s, err := c.Compile(schemaBase + f)
		if err != nil {
			return nil, err
		}
		out[f] = s
	}
	return out, nil
})

// validateAgainst validates doc (JSON) against the named root schema.
func validateAgainst(t testing.TB, name string, doc []byte) error {
	t.Helper()
	s, err := schemas()
	if err != nil {
		t.Fatalf("compile schemas: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("instance is not JSON: %v\n%s", err, doc)
	}
	return s[name].Validate(inst)
}

// asClaimsSet wraps a verified_claims value the way it travels: as a claim of a token or userinfo.
func asClaimsSet(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"sub": "248289761001", "verified_claims": v})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIssuedValidatesAgainstSchema(t *testing.T) {
	all := buildAll(t)
	for i, vc := range all {
		t.Run(issued[i].name, func(t *testing.T) {
			if err := validateAgainst(t, "verified_claims.json", asClaimsSet(t, vc)); err != nil {
				t.Fatalf("schema rejects issued verified_claims: %v", err)
			}
		})
	}
	if err := validateAgainst(t, "verified_claims.json", asClaimsSet(t, List(all))); err != nil {
		t.Fatalf("schema rejects the array form: %v", err)
	}
}

// Filtered output is issued too: it must stay schema-valid whatever the request kept.
func TestFilteredValidatesAgainstSchema(t *testing.T) {
	for _, vc := range buildAll(t) {
		for _, rc := range acceptedRequests {
			reqs, err := ParseVerifiedClaimsRequest([]byte(rc))
			if err != nil {
				t.Fatal(err)
			}
			out := FilterAll([]VerifiedClaims{vc}, reqs, verifiedAt)
			if len(out) == 0 {
				continue
			}
			if err := validateAgainst(t, "verified_claims.json", asClaimsSet(t, out)); err != nil {
				t.Errorf("request %s: schema rejects filtered output: %v", rc, err)
			}
		}
	}
}

func TestAcceptedRequestsValidateAgainstSchema(t *testing.T) {
	for _, rc := range acceptedRequests {
		doc := []byte(`{"id_token":{"verified_claims":` + rc + `}}`)
		if _, err := ParseClaimsRequest(doc); err != nil {
			t.Errorf("ParseClaimsRequest(%s): %v", rc, err)
		}
		if err := validateAgainst(t, "verified_claims_request.json", doc); err != nil {
			t.Errorf("schema rejects accepted request %s: %v", rc, err)
		}
	}
}

// The schemas must reject these: proof that validation runs and is not vacuous.
func TestSchemaRejects(t *testing.T) {
	good, err := issued[1].build()
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(m map[string]any)) []byte {
		b, _ := json.Marshal(good)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		f(m)
		return asClaimsSet(t, m)
	}
	ver := func(m map[string]any) map[string]any { return m["verification"].(map[string]any) }
	ev0 := func(m map[string]any) map[string]any { return ver(m)["evidence"].([]any)[0].(map[string]any) }
	cl := func(m map[string]any) map[string]any { return m["claims"].(map[string]any) }
	cases := map[string][]byte{
		"no trust_framework":      mutate(func(m map[string]any) { delete(ver(m), "trust_framework") }),
		"no claims":               mutate(func(m map[string]any) { delete(m, "claims") }),
		"extra top member":        mutate(func(m map[string]any) { m["txn"] = "x" }),
		"unknown evidence type":   mutate(func(m map[string]any) { ev0(m)["type"] = "selfie" }),
		"empty check_details":     mutate(func(m map[string]any) { ev0(m)["check_details"] = []any{} }),
		"check without method":    mutate(func(m map[string]any) { ev0(m)["check_details"] = []any{map[string]any{"organization": "x"}} }),
		"time not date-time":      mutate(func(m map[string]any) { ver(m)["time"] = "yesterday" }),
		"expiry not a date":       mutate(func(m map[string]any) { ev0(m)["document_details"].(map[string]any)["date_of_expiry"] = "2029-13-45" }),
		"bad nationality":         mutate(func(m map[string]any) { cl(m)["nationalities"] = []any{"Nigerian"} }),
		"duplicate nationalities": mutate(func(m map[string]any) { cl(m)["nationalities"] = []any{"GB", "GB"} }),
		"bad birthdate":           mutate(func(m map[string]any) { cl(m)["birthdate"] = "17/05/1990" }),
		"esig without serial": asClaimsSet(t, map[string]any{"verification": map[string]any{"trust_framework": "eidas",
			"evidence": []any{map[string]any{"type": "electronic_signature", "signature_type": "qes", "issuer": "x"}}}, "claims": map[string]any{"name": "x"}}),
	}
	for name, doc := range cases {
		if err := validateAgainst(t, "verified_claims.json", doc); err == nil {
			t.Errorf("%s: schema accepted %s", name, doc)
		}
	}
	for name, rc := range rejectedRequests {
		doc := []byte(`{"id_token":{"verified_claims":` + rc + `}}`)
		if _, err := ParseClaimsRequest(doc); err == nil {
			t.Errorf("%s: ParseClaimsRequest accepted %s", name, rc)
		}
		if schemaRejects[name] {
			if err := validateAgainst(t, "verified_claims_request.json", doc); err == nil {
				t.Errorf("%s: request schema accepted %s", name, rc)
			}
		}
	}
}
