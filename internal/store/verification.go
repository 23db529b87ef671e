package store

import "time"

// Records of the identity-verification provider (internal/verifier).

// Verification statuses. A verification moves forward only; approved,
// rejected and expired are final.
const (
	VerificationStarted  = "started"  // steps in progress
	VerificationReview   = "review"   // waiting for a reviewer
	VerificationApproved = "approved" // the person is verified
	VerificationRejected = "rejected" // a reviewer or a check said no
	VerificationExpired  = "expired"  // not finished in time
)

// Verification is one attempt by one person to reach an assurance rung.
// Version is incremented by every successful update; an update whose
// Version does not match the stored one fails with ErrConflict, so two
// requests cannot overwrite each other's steps.
type Verification struct {
	ID      string
	Version int
	// AuthRequestID is the OpenID auth request this verification completes.
	AuthRequestID string
	ClientID      string
	// Rung is the acr the verification aims for (see the verifier's ladder).
	Rung   string
	Status string
	// Claimed is who the person says they are, from the relying party's
	// hints (the primary account): compared with the document.
	ClaimedEmail string
	ClaimedName  string
	// Steps holds the per-step results as JSON owned by the verifier
	// (email, document, selfie, ...); the store does not interpret it.
	Steps []byte
	// Reasons name why the verification went to review or was rejected.
	Reasons []string
	// PersonSubject is set on approval: the verified person's subject.
	PersonSubject string
	Reviewer      string
	ReviewNote    string
	ReviewedAt    time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ExpiresAt     time.Time
}

// Person is a verified human. Subject is stable across re-verifications
// of the same document: DocumentKey is a keyed hash of (issuing state,
// document number), so the store never holds the number itself.
type Person struct {
	Subject     string
	DocumentKey string
	GivenName   string
	FamilyName  string
	BirthDate   string // YYYY-MM-DD
	// Nationalities are ISO 3166-1 alpha-3 codes as on the document.
	Nationalities []string
	// ACR is the rung reached; VerifiedClaims the attestation issued (JSON,
	// an OIDC for Identity Assurance verified_claims object).
	ACR            string
	VerifiedClaims []byte
	// Face is the person's face descriptor, sealed by the caller (the
	// store never sees it in the clear); nil when none is kept.
	Face       []byte
	VerifiedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PersonFace is one person's sealed face descriptor, for duplicate checks.
type PersonFace struct {
	Subject, DocumentKey string
	Face                 []byte
}

// Evidence is an uploaded image or file kept for review. Sealed is
// encrypted by the caller (AEAD); the store never sees it in the clear.
// It is deleted after DeleteAfter, leaving the verification record.
type Evidence struct {
	ID             string
	VerificationID string
	Kind           string // e.g. "document-front", "selfie"
	ContentType    string
	Sealed         []byte
	Size           int    // plaintext bytes
	SHA256         string // of the plaintext, hex
	CreatedAt      time.Time
	DeleteAfter    time.Time
}
