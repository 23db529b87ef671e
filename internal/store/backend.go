package store

import (
	"context"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
)

// Backend is every method a Vigil store provides: what the server wires
// into its parts (each of which declares the subset it needs), and what
// the conformance suite (storetest.Run) checks of every backend, SQLite and
// PostgreSQL alike.
type Backend interface {
	CreateSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id string) (*Session, error)
	TouchSessions(ctx context.Context, seen map[string]time.Time) error
	DeleteSession(ctx context.Context, id string) error
	UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) error
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	SessionsBySID(ctx context.Context, provider, sid string) ([]Session, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	UpsertUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id string) (*User, error)
	UsersByEmail(ctx context.Context, email string) ([]User, error)
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
	SetUserVerification(ctx context.Context, userID string, v *identity.Verification) error

	MarkUsed(ctx context.Context, key string, expires time.Time) (first bool, err error)
	PurgeUsed(ctx context.Context, now time.Time) (int, error)
	ReleaseUsed(ctx context.Context, key string) error

	PutSigningKey(ctx context.Context, k *SigningKey) error
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)

	CreateVerification(ctx context.Context, v *Verification) error
	GetVerification(ctx context.Context, id string) (*Verification, error)
	GetVerificationByAuthRequest(ctx context.Context, authRequestID string) (*Verification, error)
	UpdateVerification(ctx context.Context, v *Verification) error
	ListVerifications(ctx context.Context, status string, limit int) ([]Verification, error)
	FindApprovedVerification(ctx context.Context, claimedEmail string) (*Verification, error)
	ApprovedEmails(ctx context.Context, personSubject string, limit int) ([]string, error)
	CountVerifications(ctx context.Context, claimedEmail, status string, since time.Time) (int, error)
	ExpireVerifications(ctx context.Context, now time.Time) (int, error)

	PutEvidence(ctx context.Context, e *Evidence) error
	GetEvidence(ctx context.Context, id string) (*Evidence, error)
	ListEvidence(ctx context.Context, verificationID string) ([]Evidence, error)
	DeleteEvidenceBefore(ctx context.Context, now time.Time) (int, error)

	UpsertPersonByDocument(ctx context.Context, p *Person) error
	GetPerson(ctx context.Context, subject string) (*Person, error)
	ListPersonFaces(ctx context.Context) ([]PersonFace, error)

	UpdateOTP(ctx context.Context, challengeKey, mailboxKey string,
		fn func(challenge, mailbox []byte) ([]byte, []byte, error)) error
	PurgeOTP(ctx context.Context, updatedBefore time.Time) (int, error)

	PutOPKey(ctx context.Context, k *SigningKey) error
	ListOPKeys(ctx context.Context) ([]SigningKey, error)

	AppendChange(ctx context.Context, kind, key string, at time.Time) (int64, error)
	AppendChangeReason(ctx context.Context, kind, key, reason string, at time.Time) (int64, error)
	Changes(ctx context.Context, afterSeq int64, limit int) ([]Change, error)
	LastChange(ctx context.Context) (int64, error)
	PurgeChanges(ctx context.Context, before time.Time) (int, error)
	DeleteProviderSessions(ctx context.Context, provider string) (int, error)
	RevokeApp(ctx context.Context, app string, at time.Time) error
	AppRevocations(ctx context.Context) (map[string]time.Time, error)

	AddRiskFactor(ctx context.Context, f *RiskFactor) error
	RiskFactors(ctx context.Context, userID string) ([]RiskFactor, error)
	ActiveRiskFactors(ctx context.Context, now time.Time) ([]RiskFactor, error)
	ClearRiskFactors(ctx context.Context, userID string, kinds []string, at time.Time, by string) (int, error)

	CreateStream(ctx context.Context, s *Stream) error
	GetStream(ctx context.Context, id string) (*Stream, error)
	ListStreams(ctx context.Context, audience string) ([]Stream, error)
	UpdateStream(ctx context.Context, s *Stream) error
	DeleteStream(ctx context.Context, id string) error
	AddStreamSubject(ctx context.Context, sub *StreamSubject) error
	RemoveStreamSubject(ctx context.Context, streamID, key string) error
	StreamSubjects(ctx context.Context, streamID string) ([]StreamSubject, error)
	EnqueueEvent(ctx context.Context, e *StreamEvent) error
	PendingEvents(ctx context.Context, streamID string, now time.Time, limit int) ([]StreamEvent, error)
	CountStreamEvents(ctx context.Context, streamID string) (int, error)
	AckEvents(ctx context.Context, streamID string, jtis []string) (int, error)
	RetryEvent(ctx context.Context, streamID, jti string, attempts int, next time.Time, lastError string) error

	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (held bool, until time.Time, err error)
	ReleaseLease(ctx context.Context, name, holder string) error

	// The configuration replicas share (store.ConfigStore).
	ConfigStore

	// Ping checks the database answers; Close releases it.
	Ping(ctx context.Context) error
	Close() error
}
