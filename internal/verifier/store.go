package verifier

import (
	"context"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Store is what the verifier keeps in the database (internal/store/sqlite
// implements it).
type Store interface {
	CreateVerification(ctx context.Context, v *store.Verification) error
	GetVerification(ctx context.Context, id string) (*store.Verification, error)
	GetVerificationByAuthRequest(ctx context.Context, authRequestID string) (*store.Verification, error)
	// UpdateVerification fails with store.ErrConflict when v.Version is not
	// the stored one, and bumps v.Version on success.
	UpdateVerification(ctx context.Context, v *store.Verification) error
	ListVerifications(ctx context.Context, status string, limit int) ([]store.Verification, error)
	FindApprovedVerification(ctx context.Context, claimedEmail string) (*store.Verification, error)
	// ApprovedEmails lists the distinct claimed emails of the person's
	// approved verifications, newest first, at most limit.
	ApprovedEmails(ctx context.Context, personSubject string, limit int) ([]string, error)
	CountVerifications(ctx context.Context, claimedEmail, status string, since time.Time) (int, error)
	ExpireVerifications(ctx context.Context, now time.Time) (int, error)

	PutEvidence(ctx context.Context, e *store.Evidence) error
	GetEvidence(ctx context.Context, id string) (*store.Evidence, error)
	ListEvidence(ctx context.Context, verificationID string) ([]store.Evidence, error)
	DeleteEvidenceBefore(ctx context.Context, now time.Time) (int, error)

	// UpsertPersonByDocument keeps the stored Subject for an existing
	// DocumentKey and writes it back into p.
	UpsertPersonByDocument(ctx context.Context, p *store.Person) error
	GetPerson(ctx context.Context, subject string) (*store.Person, error)
	ListPersonFaces(ctx context.Context) ([]store.PersonFace, error)

	UpdateOTP(ctx context.Context, challengeKey, mailboxKey string, fn func(ch, mb []byte) ([]byte, []byte, error)) error
	PurgeOTP(ctx context.Context, before time.Time) (int, error)
}
