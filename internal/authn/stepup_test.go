package authn

import (
	"encoding/json"
	"github.com/vigil-gw/vigil/internal/ida"
	"strings"
	"testing"
	"time"
)

func TestVerificationChecks(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	h := &Handler{now: func() time.Time { return now }}
	p := &Provider{name: "idv", skew: time.Minute, verifier: &verifierConf{
		acrValues: []string{"urn:idv:ial2"}, acrLevels: map[string]string{"urn:idv:ial2": "ial2", "urn:idv:basic": "ial1"}}}
	authAt := float64(now.Add(-2 * time.Minute).Unix())
	vc := func(level, at string) map[string]any {
		return map[string]any{"verification": map[string]any{"trust_framework": "nist_800_63A", "assurance_level": level, "time": at,
			"evidence": []any{map[string]any{"type": "document", "check_details": []any{map[string]any{"check_method": "vcrypt"}},
				"document_details": map[string]any{"type": "passport", "issuer": map[string]any{"country_code": "DEU"}}}}},
			"claims": map[string]any{"given_name": "Ada"}}
	}
	cases := []struct {
		name    string
		tx      verifyTx
		claims  map[string]any
		reason  string // "" for success
		level   string
		methods string
	}{
		{name: "acr mapped to ial2", tx: verifyTx{Level: "ial2", MaxAge: 600, ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": authAt}, level: "ial2"},
		{name: "verified_claims", tx: verifyTx{Level: "ial2", ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": authAt, "verified_claims": vc("ial2", "2026-03-01T10:00:00Z")},
			level:  "ial2", methods: "vcrypt"},
		{name: "verified_claims lower than needed is recorded (policy denies)", tx: verifyTx{Level: "ial2", ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": authAt, "verified_claims": vc("ial1", "2026-03-01T10:00:00Z")},
			level:  "ial1", methods: "vcrypt"},
		{name: "insufficient acr", tx: verifyTx{Level: "ial2", ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:basic", "auth_time": authAt}, reason: ReasonVerificationACRInsufficient},
		{name: "acr missing", tx: verifyTx{Level: "ial2", ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "auth_time": authAt}, reason: ReasonVerificationACRInsufficient},
		{name: "stale auth_time", tx: verifyTx{Level: "ial2", MaxAge: 30, ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": authAt}, reason: ReasonVerificationTooOld},
		{name: "auth_time missing with max_age", tx: verifyTx{Level: "ial2", MaxAge: 600, ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2"}, reason: ReasonVerificationAuthTimeMissing},
		{name: "malformed verified_claims", tx: verifyTx{Level: "ial2", ACR: []string{"urn:idv:ial2"}},
			claims: map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": authAt, "verified_claims": "nope"}, reason: ReasonVerificationClaimsInvalid},
		{name: "unmapped acr without verified_claims", tx: verifyTx{},
			claims: map[string]any{"sub": "v1", "acr": "urn:other", "auth_time": authAt}, reason: ReasonVerificationACRInsufficient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Claims arrive JSON-decoded, as from the ID token.
			b, _ := json.Marshal(tc.claims)
			var claims map[string]any
			_ = json.Unmarshal(b, &claims)
			v, err := h.verification(p, &tc.tx, claims, "Ada Lovelace")
			if tc.reason != "" {
				if err == nil || asFailure(err).Reason != tc.reason {
					t.Fatalf("err = %v, want %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tc.claims["verified_claims"]; ok && v.DocumentCountry != "DEU" {
				t.Errorf("document country %q, want DEU from the evidence", v.DocumentCountry)
			}
			if v.Provider != "idv" || v.Subject != "v1" || v.Level != tc.level || v.TrustFramework != "nist_800_63A" ||
				strings.Join(v.Methods, ",") != tc.methods || v.VerifiedAt.IsZero() {
				t.Fatalf("verification = %+v", v)
			}
		})
	}
}

func TestVerifyClaimsParam(t *testing.T) {
	// A request a verification provider would refuse asks for nothing: it
	// must pass the IDA request rules Vigil's own verifier applies.
	for _, acr := range [][]string{nil, {"urn:a", "urn:b"}} {
		if _, err := ida.ParseClaimsRequest([]byte(verifyClaimsParam(acr))); err != nil {
			t.Fatalf("claims request refused by the IDA rules: %v", err)
		}
	}
	var got map[string]map[string]any
	if err := json.Unmarshal([]byte(verifyClaimsParam([]string{"urn:a", "urn:b"})), &got); err != nil {
		t.Fatal(err)
	}
	acr, _ := got["id_token"]["acr"].(map[string]any)
	if acr["essential"] != true || len(acr["values"].([]any)) != 2 {
		t.Fatalf("acr request = %v", got["id_token"]["acr"])
	}
	vc, _ := got["id_token"]["verified_claims"].(map[string]any)
	if _, ok := vc["verification"].(map[string]any)["trust_framework"]; !ok {
		t.Fatalf("verified_claims request = %v", vc)
	}
	if strings.Contains(verifyClaimsParam(nil), `"acr"`) {
		t.Fatal("acr requested with no values")
	}
}

// TestVerifiedNameRequired: with require_name_match, the verified name must
// be the account's (accents as ICAO 9303 writes them), and a verification
// that cannot show one is refused.
func TestVerifiedNameRequired(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	h := &Handler{now: func() time.Time { return now }}
	p := &Provider{name: "nametag", skew: time.Minute, verifier: &verifierConf{
		acrLevels: map[string]string{"urn:idv:ial2": "ial2"}, requireName: true}}
	vc := func(names map[string]any) map[string]any {
		return map[string]any{"verification": map[string]any{"trust_framework": "nist_800_63A", "assurance_level": "ial2",
			"time": "2026-03-04T09:58:00Z"}, "claims": names}
	}
	for _, tc := range []struct {
		name, account string
		verified      map[string]any // nil: no verified_claims
		ok            bool
	}{
		{"given and family", "Jürgen Müller", vc(map[string]any{"given_name": "JUERGEN", "family_name": "MUELLER"}), true},
		{"name only", "Ada Lovelace", vc(map[string]any{"name": "Ada Lovelace"}), true},
		{"middle name on both", "Anna Maria Eriksson", vc(map[string]any{"given_name": "Anna", "middle_name": "Maria", "family_name": "Eriksson"}), true},
		{"someone else", "Ada Lovelace", vc(map[string]any{"given_name": "Mallory", "family_name": "Lovelace"}), false},
		{"a middle name the account lacks", "Anna Eriksson", vc(map[string]any{"given_name": "Anna Maria", "family_name": "Eriksson"}), false},
		{"no verified name", "Ada Lovelace", vc(map[string]any{"birthdate": "1815-12-10"}), false},
		{"no verified_claims, acr only", "Ada Lovelace", nil, false},
		{"no verified_claims, the token's own name", "Ada Lovelace", map[string]any{"given_name": "Ada", "family_name": "Lovelace"}, true},
		{"no verified_claims, the token's own name, someone else", "Ada Lovelace", map[string]any{"name": "Mallory Smith"}, false},
		{"account without a name", "", vc(map[string]any{"name": "Ada Lovelace"}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims := map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": float64(now.Add(-time.Minute).Unix())}
			switch {
			case tc.verified == nil:
			case tc.verified["verification"] != nil:
				claims["verified_claims"] = tc.verified
			default: // the ID token's own claims
				for k, v := range tc.verified {
					claims[k] = v
				}
			}
			b, _ := json.Marshal(claims)
			_ = json.Unmarshal(b, &claims)
			v, err := h.verification(p, &verifyTx{}, claims, tc.account)
			if tc.ok {
				if err != nil || v.Level != "ial2" {
					t.Fatalf("verification = %+v, %v; want ial2", v, err)
				}
				return
			}
			if err == nil || asFailure(err).Reason != ReasonVerificationNameMismatch {
				t.Fatalf("err = %v, want %s", err, ReasonVerificationNameMismatch)
			}
		})
	}
	// Off (the default), names are not compared.
	p.verifier.requireName = false
	claims := map[string]any{"sub": "v1", "acr": "urn:idv:ial2", "auth_time": float64(now.Add(-time.Minute).Unix())}
	if _, err := h.verification(p, &verifyTx{}, claims, "Ada Lovelace"); err != nil {
		t.Fatalf("require_name_match off: %v", err)
	}
}
