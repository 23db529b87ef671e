package ida

import "encoding/json"

// VerifiedClaims is one verified_claims object: how the person was verified and what was verified.
// JSON: both members are required and no other member is allowed.
type VerifiedClaims struct {
	Verification Verification `json:"verification"`
	Claims       Claims       `json:"claims"`
}

// Verification describes the verification process. Members this package does not model (trust-framework
// specific ones) are kept in Extra and written back unchanged.
type Verification struct {
	TrustFramework      string            `json:"trust_framework"`
	AssuranceLevel      string            `json:"assurance_level,omitempty"`
	AssuranceProcess    *AssuranceProcess `json:"assurance_process,omitempty"`
	Time                DateTime          `json:"time,omitzero"`
	VerificationProcess string            `json:"verification_process,omitempty"`
	Evidence            []Evidence        `json:"evidence,omitzero"`

	Extra map[string]json.RawMessage `json:"-"`
}

// AssuranceProcess names the policy and procedure followed and ties each assurance step to evidence.
type AssuranceProcess struct {
	Policy           string            `json:"policy,omitempty"`
	Procedure        string            `json:"procedure,omitempty"`
	AssuranceDetails []AssuranceDetail `json:"assurance_details,omitzero"`
}

// AssuranceDetail is one step of the assurance process.
type AssuranceDetail struct {
	AssuranceType           string        `json:"assurance_type,omitempty"`
	AssuranceClassification string        `json:"assurance_classification,omitempty"`
	EvidenceRef             []EvidenceRef `json:"evidence_ref,omitzero"`
}

// EvidenceRef points at a check by its check_id.
type EvidenceRef struct {
	CheckID          string            `json:"check_id"`
	EvidenceMetadata *EvidenceMetadata `json:"evidence_metadata,omitempty"`
}

// EvidenceMetadata classifies the referenced evidence.
type EvidenceMetadata struct {
	EvidenceClassification string `json:"evidence_classification,omitempty"`
}

// Evidence is one piece of evidence. Type selects which members apply:
//   - document: CheckDetails, DocumentDetails
//   - electronic_record: CheckDetails, Record
//   - vouch: CheckDetails, Attestation
//   - electronic_signature: SignatureType, Issuer, SerialNumber (all required), CreatedAt
//
// DerivedClaims and Attachments apply to every type. Attachments are kept verbatim: Vigil never issues
// them and never dereferences their URLs.
type Evidence struct {
	Type string `json:"type"`

	CheckDetails    []CheckDetail    `json:"check_details,omitzero"`
	DocumentDetails *DocumentDetails `json:"document_details,omitempty"`
	Record          *Record          `json:"record,omitempty"`
	Attestation     *Attestation     `json:"attestation,omitempty"`

	SignatureType string   `json:"signature_type,omitempty"`
	Issuer        string   `json:"issuer,omitempty"`
	SerialNumber  string   `json:"serial_number,omitempty"`
	CreatedAt     DateTime `json:"created_at,omitzero"`

	DerivedClaims *Claims         `json:"derived_claims,omitempty"`
	Attachments   json.RawMessage `json:"attachments,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// CheckDetail is one check performed on the evidence.
type CheckDetail struct {
	CheckMethod  string   `json:"check_method"`
	Organization string   `json:"organization,omitempty"`
	CheckID      string   `json:"check_id,omitempty"`
	Time         DateTime `json:"time,omitzero"`
}

// DocumentDetails describes an identity document.
type DocumentDetails struct {
	Type           string  `json:"type"`
	DocumentNumber string  `json:"document_number,omitempty"`
	SerialNumber   string  `json:"serial_number,omitempty"`
	DateOfIssuance Date    `json:"date_of_issuance,omitzero"`
	DateOfExpiry   Date    `json:"date_of_expiry,omitzero"`
	Issuer         *Issuer `json:"issuer,omitempty"`
}

// Issuer is the issuer of a document or the source of an electronic record: a name, a jurisdiction and
// an address.
type Issuer struct {
	Name          string `json:"name,omitempty"`
	Jurisdiction  string `json:"jurisdiction,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
	CountryCode   string `json:"country_code,omitempty"`
}

// Record is an electronic record (e.g. a population register or bank account entry).
type Record struct {
	Type         string   `json:"type"`
	CreatedAt    DateTime `json:"created_at,omitzero"`
	DateOfExpiry Date     `json:"date_of_expiry,omitzero"`
	Source       *Issuer  `json:"source,omitempty"`
}

// Attestation is a vouch: a statement by a third party.
type Attestation struct {
	Type            string   `json:"type"`
	ReferenceNumber string   `json:"reference_number,omitempty"`
	DateOfIssuance  Date     `json:"date_of_issuance,omitzero"`
	DateOfExpiry    Date     `json:"date_of_expiry,omitzero"`
	Voucher         *Voucher `json:"voucher,omitempty"`
}

// Voucher is who vouched.
type Voucher struct {
	Name          string `json:"name,omitempty"`
	Birthdate     Date   `json:"birthdate,omitzero"`
	Occupation    string `json:"occupation,omitempty"`
	Organization  string `json:"organization,omitempty"`
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
	CountryCode   string `json:"country_code,omitempty"`
}

// Claims are the verified person's claims (OIDC Core standard claims plus the IDA ones). Other claims
// are kept in Extra and written back unchanged.
type Claims struct {
	Sub               string        `json:"sub,omitempty"`
	Name              string        `json:"name,omitempty"`
	GivenName         string        `json:"given_name,omitempty"`
	FamilyName        string        `json:"family_name,omitempty"`
	MiddleName        string        `json:"middle_name,omitempty"`
	BirthGivenName    string        `json:"birth_given_name,omitempty"`
	BirthFamilyName   string        `json:"birth_family_name,omitempty"`
	BirthMiddleName   string        `json:"birth_middle_name,omitempty"`
	AlsoKnownAs       string        `json:"also_known_as,omitempty"`
	Salutation        string        `json:"salutation,omitempty"`
	Title             string        `json:"title,omitempty"`
	Gender            string        `json:"gender,omitempty"`
	Birthdate         Date          `json:"birthdate,omitzero"`
	PlaceOfBirth      *PlaceOfBirth `json:"place_of_birth,omitempty"`
	Nationalities     []string      `json:"nationalities,omitzero"`
	Address           *Address      `json:"address,omitempty"`
	Email             string        `json:"email,omitempty"`
	EmailVerified     *bool         `json:"email_verified,omitempty"`
	PhoneNumber       string        `json:"phone_number,omitempty"`
	PhoneVerified     *bool         `json:"phone_number_verified,omitempty"`
	MSISDN            string        `json:"msisdn,omitempty"`
	PreferredUsername string        `json:"preferred_username,omitempty"`
	Picture           string        `json:"picture,omitempty"`
	Profile           string        `json:"profile,omitempty"`
	Website           string        `json:"website,omitempty"`
	Zoneinfo          string        `json:"zoneinfo,omitempty"`
	Locale            string        `json:"locale,omitempty"`
	UpdatedAt         json.Number   `json:"updated_at,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// PlaceOfBirth is where the person was born. Country is an ISO 3166 alpha-2 or alpha-3 code.
type PlaceOfBirth struct {
	Country  string `json:"country,omitempty"`
	Region   string `json:"region,omitempty"`
	Locality string `json:"locality,omitempty"`
}

// Address is an OIDC Core address plus the IDA country_code (ISO 3166 alpha-2 or alpha-3).
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"street_address,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postal_code,omitempty"`
	Country       string `json:"country,omitempty"`
	CountryCode   string `json:"country_code,omitempty"`
}
