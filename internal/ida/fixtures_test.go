package ida

import (
	"testing"
	"time"
)

var (
	verifiedAt = time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
	yes        = true
)

func person() Claims {
	return Claims{
		GivenName:     "Maria",
		FamilyName:    "Okafor",
		Birthdate:     NewDate(1990, time.May, 17),
		Nationalities: []string{"NGA", "GB"},
		PlaceOfBirth:  &PlaceOfBirth{Country: "NG", Locality: "Lagos"},
		Address:       &Address{StreetAddress: "1 Main St", Locality: "Leeds", PostalCode: "LS1 1AA", CountryCode: "GB"},
	}
}

// issued is what the verifier builds for each of its flows; every case must pass Build and the schema.
var issued = []struct {
	name  string
	build func() (VerifiedClaims, error)
}{
	{"email vouch", func() (VerifiedClaims, error) {
		return NewBuilder(TrustFrameworkNIST80063A, IAL1, verifiedAt).
			Process("vf-email-7Q2").
			Evidence(NewVouchEvidence(
				Attestation{Type: "digital_attestation", ReferenceNumber: "acme.example",
					Voucher: &Voucher{Organization: "Acme Corp"}},
				NewCheck(CheckAuth, "vigil", "chk-email-1", verifiedAt))).
			Build(Claims{Email: "maria@acme.example", EmailVerified: &yes})
	}},
	{"document remote images and manual review", func() (VerifiedClaims, error) {
		return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).
			Process("vf-doc-8F1").
			Evidence(NewDocumentEvidence(
				DocumentDetails{Type: DocumentDrivingPermit, DocumentNumber: "D1234567",
					DateOfIssuance: NewDate(2021, 6, 1), DateOfExpiry: NewDate(2029, 5, 17),
					Issuer: &Issuer{Name: "DVLA", CountryCode: "GBR"}},
				NewCheck(CheckVRI, "vigil", "chk-vri-1", verifiedAt),
				NewCheck(CheckPVR, "vigil", "chk-pvr-1", verifiedAt.Add(time.Hour)))).
			Build(person())
	}},
	{"document and automated face match", func() (VerifiedClaims, error) {
		return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).
			AssuranceProcess(AssuranceProcess{Policy: "vigil-idv-2026", Procedure: "remote-doc-selfie",
				AssuranceDetails: []AssuranceDetail{{AssuranceType: "verification", AssuranceClassification: "strong",
					EvidenceRef: []EvidenceRef{{CheckID: "chk-bvr-1", EvidenceMetadata: &EvidenceMetadata{EvidenceClassification: "primary"}}}}}}).
			Evidence(NewDocumentEvidence(
				DocumentDetails{Type: DocumentIDCard, DocumentNumber: "X9Z8Y7", Issuer: &Issuer{Name: "Republic of Nigeria", CountryCode: "NGA"}},
				NewCheck(CheckVRI, "vigil", "chk-vri-2", verifiedAt),
				NewCheck(CheckBVR, "vigil", "chk-bvr-1", verifiedAt))).
			Build(person())
	}},
	{"passport chip and face match", func() (VerifiedClaims, error) {
		return NewBuilder(TrustFrameworkNIST80063A, IAL2, verifiedAt).
			Process("vf-chip-3C9").
			Evidence(NewDocumentEvidence(
				DocumentDetails{Type: DocumentPassport, DocumentNumber: "533380006",
					DateOfExpiry: NewDate(2031, 1, 9), Issuer: &Issuer{Name: "HM Passport Office", CountryCode: "GBR"}},
				NewCheck(CheckVCrypt, "vigil", "chk-pa-1", verifiedAt),
				NewCheck(CheckBVR, "vigil", "chk-bvr-2", verifiedAt))).
			Build(person())
	}},
	{"record and signature", func() (VerifiedClaims, error) {
		return NewBuilder(TrustFrameworkNIST80063A, IAL3, verifiedAt).
			Evidence(
				NewElectronicRecordEvidence(Record{Type: "population_register", CreatedAt: NewDateTime(verifiedAt),
					Source: &Issuer{Name: "Registry", CountryCode: "DE"}}, NewCheck(CheckData, "", "", time.Time{})),
				NewElectronicSignatureEvidence("qes_eidas", "Bundesdruckerei", "0815", verifiedAt)).
			Build(Claims{GivenName: "Max", FamilyName: "Meier", Birthdate: NewDate(1956, 1, 28)})
	}},
}

func buildAll(t testing.TB) []VerifiedClaims {
	t.Helper()
	var out []VerifiedClaims
	for _, c := range issued {
		vc, err := c.build()
		if err != nil {
			t.Fatalf("%s: Build: %v", c.name, err)
		}
		out = append(out, vc)
	}
	return out
}

// external are verified_claims as other providers send them (spec examples' shapes): object and array
// forms, times without seconds and with offsets, members this package does not model.
var external = []string{
	`{"verification":{"trust_framework":"de_aml","time":"2012-04-23T18:25Z","verification_process":"f24c6f-6d3f-4ec5-973e-b0d8506f3bc7",
	  "evidence":[{"type":"document","check_details":[{"check_method":"vpip","organization":"TheCheckCompany","check_id":"cc-1","time":"2012-04-22T11:30+02:00"}],
	  "document_details":{"type":"idcard","issuer":{"name":"Stadt Augsburg","country":"DE"},"document_number":"53554554","date_of_issuance":"2010-03-23","date_of_expiry":"2020-03-22"}}]},
	  "claims":{"given_name":"Max","family_name":"Meier","birthdate":"1956-01-28","place_of_birth":{"country":"DE","locality":"Musterstadt"},"nationalities":["DE"],
	  "address":{"locality":"Maxstadt","postal_code":"12344","country":"DE","street_address":"An der Weide 22"}}}`,
	`[{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial2","time":"2025-11-02T10:00:00.123456Z","vendor_score":0.97,
	   "evidence":[{"type":"document","document_details":{"type":"passport"},"check_details":[{"check_method":"vcrypt"},{"check_method":"bvr"}],"vendor_flags":["x"]}]},
	   "claims":{"given_name":"Ada","family_name":"Lovelace","https://nametag.co/claims/age_over_21":true,"updated_at":1700000000}},
	  {"verification":{"trust_framework":"uk_tfida","assurance_level":"medium"},"claims":{"email":"ada@example.com","email_verified":true}}]`,
	`{"verification":{"trust_framework":"eidas","assurance_level":"substantial","evidence":[{"type":"electronic_signature","signature_type":"qes_eidas","issuer":"https://qes.example","serial_number":"1","created_at":"2024-01-01T00:00:00-0500",
	  "attachments":[{"desc":"scan","content_type":"image/png","content":"iVBORw0KGgo="}]},
	  {"type":"vouch","attestation":{"type":"written_attestation","reference_number":"6485-1619-3976-6671","date_of_issuance":"2021-06-04","voucher":{"organization":"HMP Dartmoor","birthdate":"1970-01-01"}}},
	  {"type":"electronic_record","record":{"type":"bank_account","created_at":"2013-04-01T00:00+01","source":{"name":"Big Bank"}},"derived_claims":{"family_name":"Meier"}}]},
	  "claims":{"family_name":"Meier"}}`,
}
