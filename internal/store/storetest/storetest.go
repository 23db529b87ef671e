// Package storetest is the conformance suite every store backend must pass
// (SQLite now, PostgreSQL later). A backend's test opens a fresh, empty
// store and hands it to Run; the suite checks behaviour only through the
// Backend interface, so it must never use anything backend-specific
// (SQL, file paths, driver errors).
//
// Contract the suite pins down, beyond the obvious round trips:
//   - Times come back in UTC with at least microsecond precision; the zero
//     time round-trips as the zero time.
//   - Stores read no clock: GetSession returns expired sessions as stored
//     and MarkUsed keeps refusing a key until PurgeUsed removes it. Expiry
//     is judged by callers, or by the purge methods given "now".
//   - Lists are newest first (CreatedAt descending, then ID), except the
//     verifier's queues (verifications, evidence), which are oldest first.
//   - Empty lists and byte slices read back as nil.
//   - UpsertUser never changes a user's stored verification and reports it
//     back in the record it was given, as it does FirstSeenAt.
//   - A verification's Version starts at 1 and every successful update,
//     including expiry, bumps it; a stale update fails with ErrConflict.
package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

// Backend is every method a Vigil store provides. Consumers declare the
// subsets they need; this is the union, for the suite.
type Backend interface {
	CreateSession(ctx context.Context, s *store.Session) error
	GetSession(ctx context.Context, id string) (*store.Session, error)
	TouchSessions(ctx context.Context, seen map[string]time.Time) error
	DeleteSession(ctx context.Context, id string) error
	UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) error
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	ListSessions(ctx context.Context, userID string) ([]store.Session, error)
	SessionsBySID(ctx context.Context, provider, sid string) ([]store.Session, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	UpsertUser(ctx context.Context, u *store.User) error
	GetUser(ctx context.Context, id string) (*store.User, error)
	UsersByEmail(ctx context.Context, email string) ([]store.User, error)
	SetUserVerification(ctx context.Context, userID string, v *identity.Verification) error

	MarkUsed(ctx context.Context, key string, expires time.Time) (first bool, err error)
	PurgeUsed(ctx context.Context, now time.Time) (int, error)
	ReleaseUsed(ctx context.Context, key string) error

	PutSigningKey(ctx context.Context, k *store.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]store.SigningKey, error)

	CreateVerification(ctx context.Context, v *store.Verification) error
	GetVerification(ctx context.Context, id string) (*store.Verification, error)
	GetVerificationByAuthRequest(ctx context.Context, authRequestID string) (*store.Verification, error)
	UpdateVerification(ctx context.Context, v *store.Verification) error
	ListVerifications(ctx context.Context, status string, limit int) ([]store.Verification, error)
	FindApprovedVerification(ctx context.Context, claimedEmail string) (*store.Verification, error)
	CountVerifications(ctx context.Context, claimedEmail, status string, since time.Time) (int, error)
	ExpireVerifications(ctx context.Context, now time.Time) (int, error)

	PutEvidence(ctx context.Context, e *store.Evidence) error
	GetEvidence(ctx context.Context, id string) (*store.Evidence, error)
	ListEvidence(ctx context.Context, verificationID string) ([]store.Evidence, error)
	DeleteEvidenceBefore(ctx context.Context, now time.Time) (int, error)

	UpsertPersonByDocument(ctx context.Context, p *store.Person) error
	GetPerson(ctx context.Context, subject string) (*store.Person, error)
	ListPersonFaces(ctx context.Context) ([]store.PersonFace, error)

	UpdateOTP(ctx context.Context, challengeKey, mailboxKey string,
		fn func(challenge, mailbox []byte) ([]byte, []byte, error)) error
	PurgeOTP(ctx context.Context, updatedBefore time.Time) (int, error)

	opKeyBackend
	ChangesBackend
	RiskBackend
	SSFBackend
}

// conformanceTest is one subtest of Run, given a fresh store.
type conformanceTest struct {
	name string
	run  func(t *testing.T, b Backend)
}

// Run runs every conformance test. open must return a new, empty store for
// each call and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	tests := []conformanceTest{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"SessionTimesUTC", testSessionTimesUTC},
		{"SessionNotFound", testSessionNotFound},
		{"SessionConflict", testSessionConflict},
		{"SessionUnknownUser", testSessionUnknownUser},
		{"SessionExpiredStillReturned", testSessionExpiredStillReturned},
		{"SessionDelete", testSessionDelete},
		{"UpdateSessionIdentity", testUpdateSessionIdentity},
		{"TouchSessions", testTouchSessions},
		{"DeleteUserSessions", testDeleteUserSessions},
		{"ListSessions", testListSessions},
		{"SessionsBySID", testSessionsBySID},
		{"DeleteExpiredSessions", testDeleteExpiredSessions},
		{"UserRoundTrip", testUserRoundTrip},
		{"UserUpsertKeepsFirstSeen", testUserUpsertKeepsFirstSeen},
		{"UsersByEmail", testUsersByEmail},
		{"MarkUsed", testMarkUsed},
		{"MarkUsedConcurrent", testMarkUsedConcurrent},
		{"PurgeUsed", testPurgeUsed},
		{"SigningKeyRoundTrip", testSigningKeyRoundTrip},
		{"SigningKeyOrderAndReplace", testSigningKeyOrderAndReplace},
	}
	tests = append(tests, userVerificationTests...)
	tests = append(tests, verifierTests...)
	tests = append(tests, opKeyTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, open(t))
		})
	}
	// Continuous assurance: the change feed, risk factors, Shared Signals.
	t.Run("Changes", func(t *testing.T) {
		RunChanges(t, func(t *testing.T) ChangesBackend { return open(t) })
	})
	t.Run("Risk", func(t *testing.T) {
		RunRisk(t, func(t *testing.T) RiskBackend { return open(t) })
	})
	t.Run("SSF", func(t *testing.T) {
		RunSSF(t, func(t *testing.T) SSFBackend { return open(t) })
	})
}

// base is a time with microsecond detail, to catch backends that round to
// milliseconds or seconds.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func mustEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}
