package store

import "time"

// Records of continuous assurance: the change feed that fans revocations
// and risk out to every gateway process, risk factors, and Shared Signals
// streams. Each backend implements the methods named in the comments; the
// interfaces live with their consumers.

// Change kinds. A Change names what changed, never the new value: a
// follower reloads (or simply forgets) what the key names.
const (
	ChangeSessionRevoked  = "session-revoked"  // Key: session ID
	ChangeUserRevoked     = "user-revoked"     // Key: user ID; every session of the user ended
	ChangeProviderRevoked = "provider-revoked" // Key: provider name; every session from it ended
	ChangeAppRevoked      = "app-revoked"      // Key: app name; sessions created before At must sign in again for it
	ChangeSessionUpdated  = "session-updated"  // Key: session ID (identity or verification changed)
	ChangeRisk            = "risk"             // Key: user ID; its risk factors changed
	// ChangeRevokeNote precedes a revocation of the user's sessions: Key
	// is the user ID, Reason what to tell them on their next request.
	ChangeRevokeNote = "revoke-note"
	// ChangeSSFQueued says a SET was queued on a Shared Signals stream
	// (Key: stream ID), so that the replica delivering it wakes at once.
	ChangeSSFQueued = "ssf-queued"
)

// Change is one entry of the change feed. Seq increases strictly in the
// order changes commit, so a follower that remembers the last Seq it saw
// misses nothing after a restart or a lost connection.
//
// Backends: AppendChange(ctx, kind, key string, at time.Time) (int64, error);
// AppendChangeReason(ctx, kind, key, reason string, at time.Time) (int64, error);
// Changes(ctx, afterSeq int64, limit int) ([]Change, error) in Seq order;
// LastChange(ctx) (int64, error) (0 when empty); PurgeChanges(ctx, before
// time.Time) (int, error). Session deletions append their own change in the
// same transaction.
type Change struct {
	Seq    int64
	Kind   string
	Key    string
	At     time.Time
	Reason string // user-readable; "" for most kinds
}

// RiskFactor is one reason a user's risk is raised: a detector's finding,
// a received security event, or an administrator's note. It counts toward
// the user's score from At until ExpiresAt, unless cleared earlier (by an
// administrator's reset or by a successful re-verification).
//
// Backends: AddRiskFactor(ctx, *RiskFactor) error (ErrConflict on a
// duplicate ID); RiskFactors(ctx, userID string) ([]RiskFactor, error), all
// of the user's factors, cleared or not, oldest first; ActiveRiskFactors(ctx,
// now time.Time) ([]RiskFactor, error), every uncleared factor with
// ExpiresAt after now (start-up warm-up); ClearRiskFactors(ctx, userID
// string, kinds []string, at time.Time, by string) (int, error), clearing
// the user's active factors of those kinds (all kinds when nil) and
// appending a ChangeRisk in the same transaction. AddRiskFactor also
// appends a ChangeRisk in its transaction.
type RiskFactor struct {
	ID        string
	UserID    string
	Kind      string // detector or source kind, e.g. impossible-travel, farm-device, ssf-credential-compromise, admin
	Severity  int    // points added to the score, 1..100
	Reason    string // one sentence a user and an auditor can read
	Evidence  map[string]string
	Source    string // "detector", "ssf:<issuer>", "admin:<who>", ...
	At        time.Time
	ExpiresAt time.Time
	ClearedAt time.Time // zero while active
	ClearedBy string
}

// Stream is a Shared Signals stream that a receiver (an app) created at
// Vigil's transmitter. Config is the stream configuration as JSON, owned
// by the transmitter.
//
// Backends: CreateStream, GetStream(ctx, id), ListStreams(ctx, audience)
// ("" lists all), UpdateStream (replaces Config, Status, Reason, UpdatedAt;
// ErrNotFound if absent), DeleteStream (removes its subjects and events).
type Stream struct {
	ID        string
	Audience  string // the receiver it belongs to
	Config    []byte
	Status    string // enabled, paused, disabled
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StreamSubject is a subject added to a stream. Key is its canonical form
// (chosen by the transmitter) so that adding it twice is one row.
//
// Backends: AddStreamSubject (idempotent), RemoveStreamSubject(ctx,
// streamID, key) (ErrNotFound if absent), StreamSubjects(ctx, streamID).
type StreamSubject struct {
	StreamID string
	Key      string
	Subject  []byte // the subject identifier as JSON
	AddedAt  time.Time
}

// StreamEvent is a signed SET waiting for delivery on one stream, by push
// or poll. It is deleted when delivered or acknowledged.
//
// Backends: EnqueueEvent (ErrConflict on a duplicate stream and JTI;
// ErrNotFound without the stream), appending a ChangeSSFQueued at
// CreatedAt in the same transaction;
// PendingEvents(ctx, streamID, now, limit), events due at now (NextAttempt
// not after now) oldest first; AckEvents(ctx, streamID, jtis) (int, error);
// RetryEvent(ctx, streamID, jti, attempts, next, lastError) error;
// CountStreamEvents(ctx, streamID) (int, error), to bound a stream's queue.
type StreamEvent struct {
	StreamID    string
	JTI         string
	SET         []byte
	CreatedAt   time.Time
	Attempts    int
	NextAttempt time.Time
	LastError   string
}
