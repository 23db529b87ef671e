package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

const sessionColumns = `id, user_id, provider, identity, created_at, last_seen_at, expires_at, ip, user_agent, id_token, sid`

// CreateSession stores s. It fails with store.ErrNotFound if s.UserID names
// no user (upsert the user first) and with store.ErrConflict if s.ID exists.
func (db *DB) CreateSession(ctx context.Context, s *store.Session) (err error) {
	defer db.done("session.create", time.Now(), &err)
	if s.ID == "" || s.UserID == "" {
		return errors.New("postgres: session needs an ID and a UserID")
	}
	if s.ExpiresAt.IsZero() {
		return errors.New("postgres: session needs an expiry")
	}
	ident, err := encodeIdentity(&s.Identity)
	if err != nil {
		return err
	}
	// One statement: the row is inserted only for a known user. When it is
	// not, a second query tells an unknown user from a taken ID, so that
	// the caller gets the same errors as from every backend.
	tag, err := db.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM users WHERE id = $2
		ON CONFLICT (id) DO NOTHING`,
		s.ID, s.UserID, s.Provider, ident, ts(s.CreatedAt), ts(s.LastSeenAt), ts(s.ExpiresAt),
		s.IP, s.UserAgent, s.IDToken, s.SID)
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var user bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, s.UserID).Scan(&user); err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	if !user {
		return fmt.Errorf("postgres: create session: user: %w", store.ErrNotFound)
	}
	return store.ErrConflict
}

// encodeIdentity is the identity column: JSON, every time in UTC (as
// every time read back is).
func encodeIdentity(in *identity.Identity) (string, error) {
	id := *in
	id.AuthTime = id.AuthTime.UTC()
	id.Verification = utcVerification(id.Verification)
	b, err := json.Marshal(id)
	if err != nil {
		return "", fmt.Errorf("postgres: encode identity: %w", err)
	}
	return string(b), nil
}

// UpdateSessionIdentity replaces the identity of session id (e.g. to add
// an identity verification), or returns store.ErrNotFound, and appends a
// session-updated change in the same transaction so that other replicas
// reload it. Nothing else about the session changes.
func (db *DB) UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) (err error) {
	defer db.done("session.update_identity", time.Now(), &err)
	enc, err := encodeIdentity(&ident)
	if err != nil {
		return err
	}
	if !storable(id) {
		return store.ErrNotFound
	}
	return db.inTx(ctx, "update session identity", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sessions SET identity = $1 WHERE id = $2`, enc, id)
		if err != nil {
			return fmt.Errorf("postgres: update session identity: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		if _, err := appendChange(ctx, tx, store.ChangeSessionUpdated, id, "", db.now()); err != nil {
			return fmt.Errorf("postgres: update session identity: %w", err)
		}
		return nil
	})
}

// GetSession returns the session with id, or store.ErrNotFound. Expired
// sessions are returned as stored: the caller checks ExpiresAt and
// LastSeenAt against its own clock.
func (db *DB) GetSession(ctx context.Context, id string) (_ *store.Session, err error) {
	defer db.done("session.get", time.Now(), &err)
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	s, err := scanSession(db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get session: %w", err)
	}
	return &s, nil
}

// TouchSessions moves each session's LastSeenAt forward to the given time
// in one statement. It never moves it back (another replica may have seen
// the session later) and silently skips sessions that no longer exist.
func (db *DB) TouchSessions(ctx context.Context, seen map[string]time.Time) (err error) {
	if len(seen) == 0 {
		return nil
	}
	defer db.done("session.touch", time.Now(), &err)
	ids := make([]string, 0, len(seen))
	for id, t := range seen {
		if !t.IsZero() && storable(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// Sorted, so that two replicas touching the same sessions tend to lock
	// them in the same order; a deadlock that happens anyway is retried.
	slices.Sort(ids)
	times := make([]time.Time, len(ids))
	for i, id := range ids {
		times[i] = seen[id]
	}
	return retry(ctx, func() error {
		_, err := db.pool.Exec(ctx, `UPDATE sessions s SET last_seen_at = greatest(s.last_seen_at, v.t)
			FROM unnest($1::text[], $2::timestamptz[]) AS v (id, t) WHERE s.id = v.id`, ids, times)
		if err != nil {
			return fmt.Errorf("postgres: touch sessions: %w", err)
		}
		return nil
	})
}

// DeleteSession removes one session, or returns store.ErrNotFound. It
// appends a session-revoked change in the same transaction, even when the
// row was already gone (see deleteAnnounced).
func (db *DB) DeleteSession(ctx context.Context, id string) (err error) {
	defer db.done("session.delete", time.Now(), &err)
	if id == "" {
		return errors.New("postgres: delete session: empty ID")
	}
	n, err := db.deleteAnnounced(ctx, "delete session", `DELETE FROM sessions WHERE id = $1`, id, store.ChangeSessionRevoked)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteUserSessions removes every session of userID and returns how many.
// It appends a user-revoked change in the same transaction, even when the
// user had no session left (see deleteAnnounced).
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (_ int, err error) {
	defer db.done("session.delete_user", time.Now(), &err)
	if userID == "" {
		return 0, errors.New("postgres: delete user sessions: empty user ID")
	}
	return db.deleteAnnounced(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = $1`, userID, store.ChangeUserRevoked)
}

// DeleteExpiredSessions removes sessions whose absolute expiry is at or
// before now and returns how many. Idle sessions are left to the caller,
// which judges idleness from its own, fresher, last-seen times.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("session.delete_expired", time.Now(), &err)
	return db.deleteCount(ctx, "delete expired sessions", `DELETE FROM sessions WHERE expires_at <= $1`, now)
}

// ListSessions returns the sessions of userID ("" for all), newest first.
func (db *DB) ListSessions(ctx context.Context, userID string) (_ []store.Session, err error) {
	defer db.done("session.list", time.Now(), &err)
	if !storable(userID) {
		return nil, nil
	}
	q, args := `SELECT `+sessionColumns+` FROM sessions ORDER BY created_at DESC NULLS LAST, id`, []any(nil)
	if userID != "" {
		q = `SELECT ` + sessionColumns + ` FROM sessions WHERE user_id = $1 ORDER BY created_at DESC NULLS LAST, id`
		args = []any{userID}
	}
	return db.listSessions(ctx, "list sessions", q, args...)
}

// SessionsBySID returns the sessions that provider's session sid signed
// in (a back-channel logout may name only the sid), newest first.
func (db *DB) SessionsBySID(ctx context.Context, provider, sid string) (_ []store.Session, err error) {
	defer db.done("session.by_sid", time.Now(), &err)
	if sid == "" {
		return nil, errors.New("postgres: sessions by sid: empty sid")
	}
	if !storable(provider, sid) {
		return nil, nil
	}
	return db.listSessions(ctx, "sessions by sid", `SELECT `+sessionColumns+` FROM sessions
		WHERE provider = $1 AND sid = $2 ORDER BY created_at DESC NULLS LAST, id`, provider, sid)
}

func (db *DB) listSessions(ctx context.Context, what, q string, args ...any) ([]store.Session, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	out, err := collect(rows, scanSession)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}

func scanSession(r pgx.Row) (store.Session, error) {
	var (
		s                         store.Session
		ident                     []byte
		created, seen, expiration pgtype.Timestamptz
	)
	if err := r.Scan(&s.ID, &s.UserID, &s.Provider, &ident, &created, &seen, &expiration,
		&s.IP, &s.UserAgent, &s.IDToken, &s.SID); err != nil {
		return s, err
	}
	if err := json.Unmarshal(ident, &s.Identity); err != nil {
		return s, fmt.Errorf("decode identity: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromTS(created), fromTS(seen), fromTS(expiration)
	return s, nil
}
