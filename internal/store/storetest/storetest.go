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
	"reflect"
	"testing"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Backend is every method a Vigil store provides (store.Backend).
type Backend = store.Backend

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
	tests = append(tests, userListTests...)
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
	t.Run("Config", func(t *testing.T) {
		RunConfig(t, func(t *testing.T) ConfigBackend { return open(t) })
	})
	t.Run("Lease", func(t *testing.T) {
		RunLease(t, func(t *testing.T) LeaseBackend { return open(t) })
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
