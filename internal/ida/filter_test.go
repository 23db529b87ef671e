package ida

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	all := buildAll(t)
	reviewed, chip := all[1], all[3] // vri+pvr driving permit; vcrypt+bvr passport
	day := 24 * time.Hour
	cases := []struct {
		name string
		held VerifiedClaims
		req  string
		now  time.Time
		want string // "" = whole verified_claims omitted
	}{
		{"only requested claims", chip,
			`{"verification":{"trust_framework":null},"claims":{"given_name":null,"nationalities":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Maria","nationalities":["NGA","GB"]}}`},
		{"claims null returns all claims", chip,
			`{"verification":{"trust_framework":null,"assurance_level":null},"claims":null}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial2"},"claims":{"given_name":"Maria","family_name":"Okafor","birthdate":"1990-05-17",
			  "nationalities":["NGA","GB"],"place_of_birth":{"country":"NG","locality":"Lagos"},"address":{"street_address":"1 Main St","locality":"Leeds","postal_code":"LS1 1AA","country_code":"GB"}}}`},
		{"trust framework mismatch omits all", chip,
			`{"verification":{"trust_framework":{"value":"eidas"}},"claims":{"given_name":null}}`, verifiedAt, ""},
		{"assurance level in values", chip,
			`{"verification":{"trust_framework":{"value":"nist_800_63A"},"assurance_level":{"values":["ial2","ial3"]}},"claims":{"family_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial2"},"claims":{"family_name":"Okafor"}}`},
		{"assurance level not in values omits all", chip,
			`{"verification":{"trust_framework":null,"assurance_level":{"values":["ial3"]}},"claims":{"family_name":null}}`, verifiedAt, ""},
		{"time within max_age", chip,
			`{"verification":{"trust_framework":null,"time":{"max_age":86400}},"claims":{"family_name":null}}`, verifiedAt.Add(day - time.Second),
			`{"verification":{"trust_framework":"nist_800_63A","time":"2026-03-14T09:26:53Z"},"claims":{"family_name":"Okafor"}}`},
		{"time older than max_age omits all", chip,
			`{"verification":{"trust_framework":null,"time":{"max_age":86400}},"claims":{"family_name":null}}`, verifiedAt.Add(day + time.Second), ""},
		{"huge max_age does not overflow", chip,
			`{"verification":{"trust_framework":null,"time":{"max_age":9223372036854775807}},"claims":{"family_name":null}}`, verifiedAt.Add(100 * 365 * day),
			`{"verification":{"trust_framework":"nist_800_63A","time":"2026-03-14T09:26:53Z"},"claims":{"family_name":"Okafor"}}`},
		{"constraint on data not held omits all", all[4],
			`{"verification":{"trust_framework":null,"verification_process":{"value":"x"}},"claims":{"given_name":null}}`, verifiedAt, ""},
		{"unavailable element without constraint is just left out", all[4],
			`{"verification":{"trust_framework":null,"verification_process":{"essential":true}},"claims":{"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Max"}}`},
		{"check method filter keeps matching checks", chip,
			`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":{"values":["vcrypt"]},"time":null}],"document_details":{"type":null}}]},"claims":{"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"document","check_details":[{"check_method":"vcrypt","check_id":"chk-pa-1","time":"2026-03-14T09:26:53Z"}],"document_details":{"type":"passport"}}]},"claims":{"given_name":"Maria"}}`},
		{"no evidence with required check omits all", reviewed,
			`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"document"},"check_details":[{"check_method":{"value":"vcrypt"}}]}]},"claims":{"given_name":null}}`, verifiedAt, ""},
		{"document type values", reviewed,
			`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"document"},"document_details":{"type":{"values":["passport","driving_permit"]},"issuer":{"country_code":null},"date_of_expiry":{"max_age":0}}}]},"claims":{"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"document","document_details":{"type":"driving_permit","issuer":{"country_code":"GBR"},"date_of_expiry":"2029-05-17"}}]},"claims":{"given_name":"Maria"}}`},
		{"claim value mismatch omits only the claim", chip,
			`{"verification":{"trust_framework":null},"claims":{"given_name":{"value":"Mario"},"family_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A"},"claims":{"family_name":"Okafor"}}`},
		{"no claim left omits all", chip,
			`{"verification":{"trust_framework":null},"claims":{"given_name":{"value":"Mario"},"email":null}}`, verifiedAt, ""},
		{"value constraint on non-string claim omits it", chip,
			`{"verification":{"trust_framework":null},"claims":{"nationalities":{"value":"GB"},"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Maria"}}`},
		{"birthdate max_age counts from the end of the day", chip,
			`{"verification":{"trust_framework":null},"claims":{"birthdate":{"max_age":0},"given_name":null}}`, time.Date(1990, 5, 17, 23, 59, 59, 0, time.UTC),
			`{"verification":{"trust_framework":"nist_800_63A"},"claims":{"birthdate":"1990-05-17","given_name":"Maria"}}`},
		{"electronic signature keeps its required members", all[4],
			`{"verification":{"trust_framework":null,"evidence":[{"type":{"value":"electronic_signature"}}]},"claims":{"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","evidence":[{"type":"electronic_signature","signature_type":"qes_eidas","issuer":"Bundesdruckerei","serial_number":"0815"}]},"claims":{"given_name":"Max"}}`},
		{"assurance process nested", all[2],
			`{"verification":{"trust_framework":null,"assurance_process":{"policy":null,"assurance_details":[{"evidence_ref":[{"check_id":null}]}]}},"claims":{"given_name":null}}`, verifiedAt,
			`{"verification":{"trust_framework":"nist_800_63A","assurance_process":{"policy":"vigil-idv-2026","assurance_details":[{"evidence_ref":[{"check_id":"chk-bvr-1"}]}]}},"claims":{"given_name":"Maria"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reqs, err := ParseVerifiedClaimsRequest([]byte(c.req))
			if err != nil {
				t.Fatalf("request: %v", err)
			}
			got, ok := Filter(c.held, reqs[0], c.now)
			if c.want == "" {
				if ok {
					b, _ := json.Marshal(got)
					t.Fatalf("got %s, want verified_claims omitted", b)
				}
				return
			}
			if !ok {
				t.Fatal("verified_claims omitted, want it returned")
			}
			b, _ := json.Marshal(got)
			if !sameJSON(t, b, []byte(c.want)) {
				t.Errorf("got  %s\nwant %s", b, c.want)
			}
		})
	}
}

func TestFilterAll(t *testing.T) {
	all := buildAll(t)
	reqs, err := ParseVerifiedClaimsRequest([]byte(acceptedRequests[3])) // ial3 first, then ial2
	if err != nil {
		t.Fatal(err)
	}
	got := FilterAll(all, reqs, verifiedAt)
	if len(got) != 4 || got[0].Verification.AssuranceLevel != IAL3 || got[1].Verification.AssuranceLevel != IAL2 {
		b, _ := json.Marshal(got)
		t.Fatalf("FilterAll = %s", b)
	}
	if got := FilterAll(all, nil, verifiedAt); got != nil {
		t.Errorf("no request: got %v", got)
	}
	if _, ok := Filter(all[0], Request{}, verifiedAt); ok {
		t.Error("zero Request satisfied")
	}
}
