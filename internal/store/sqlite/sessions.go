package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

const sessionColumns = `id, user_id, provider, identity, created_at, last_seen_at, expires_at, ip, user_agent, id_token, sid`

// CreateSession stores s. It fails with store.ErrConflict if s.ID exists and
// with store.ErrNotFound if s.UserID names no user (upsert the user first).
func (db *DB) CreateSession(ctx context.Context, s *store.Session) (err error) {
	defer db.done("session.create", time.Now(), &err)
	if s.ID == "" || s.UserID == "" {
		return errors.New("sqlite: session needs an ID and a UserID")
	}
	if s.ExpiresAt.IsZero() {
		return errors.New("sqlite: session needs an expiry")
	}
	ident, err := encodeIdentity(&s.Identity)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	defer rollback(tx)
	// Checked here rather than by decoding the foreign key error, so that the
	// caller gets the same ErrNotFound from every backend.
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, s.UserID).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: create session: user: %w", store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.UserID, s.Provider, string(ident), ts(s.CreatedAt), ts(s.LastSeenAt), ts(s.ExpiresAt),
		s.IP, s.UserAgent, s.IDToken, s.SID)
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// encodeIdentity is the identity column: JSON, every time in UTC (as
// every time read back is).
func encodeIdentity(in *identity.Identity) (string, error) {
	id := *in
	id.AuthTime = id.AuthTime.UTC()
	id.Verification = utcVerification(id.Verification)
	b, err := json.Marshal(id)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode identity: %w", err)
	}
	return string(b), nil
}

// UpdateSessionIdentity replaces the identity of session id (e.g. to add
// an identity verification), or returns store.ErrNotFound. Nothing else
// about the session changes.
func (db *DB) UpdateSessionIdentity(ctx context.Context, id string, ident identity.Identity) (err error) {
	defer db.done("session.update_identity", time.Now(), &err)
	enc, err := encodeIdentity(&ident)
	if err != nil {
		return err
	}
	// The change row tells other replicas to reload the session (its
	// verification changed), in the same transaction as the change itself.
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update session identity: %w", err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET identity = ? WHERE id = ?`, enc, id)
	if err != nil {
		return fmt.Errorf("sqlite: update session identity: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: update session identity: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	if _, err := appendChange(ctx, tx, store.ChangeSessionUpdated, id, db.now()); err != nil {
		return fmt.Errorf("sqlite: update session identity: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update session identity: %w", err)
	}
	return nil
}

// GetSession returns the session with id, or store.ErrNotFound. Expired
// sessions are returned as stored: the caller checks ExpiresAt and LastSeenAt
// against its own clock.
func (db *DB) GetSession(ctx context.Context, id string) (_ *store.Session, err error) {
	defer db.done("session.get", time.Now(), &err)
	row := db.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)
	s, err := scanSession(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get session: %w", err)
	}
	return s, nil
}

// TouchSessions moves each session's LastSeenAt forward to the given time in
// one transaction. It never moves it back (another replica may have seen the
// session later) and silently skips sessions that no longer exist.
func (db *DB) TouchSessions(ctx context.Context, seen map[string]time.Time) (err error) {
	if len(seen) == 0 {
		return nil
	}
	defer db.done("session.touch", time.Now(), &err)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: touch sessions: %w", err)
	}
	defer rollback(tx)
	stmt, err := tx.PrepareContext(ctx, `UPDATE sessions SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("sqlite: touch sessions: %w", err)
	}
	defer stmt.Close()
	for id, t := range seen {
		if t.IsZero() {
			continue
		}
		if _, err := stmt.ExecContext(ctx, t.UnixMicro(), id); err != nil {
			return fmt.Errorf("sqlite: touch sessions: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: touch sessions: %w", err)
	}
	return nil
}

// DeleteSession removes one session, or returns store.ErrNotFound. It
// appends a session-revoked change in the same transaction, even when the
// row was already gone (see deleteAnnounced).
func (db *DB) DeleteSession(ctx context.Context, id string) (err error) {
	defer db.done("session.delete", time.Now(), &err)
	if id == "" {
		return errors.New("sqlite: delete session: empty ID")
	}
	n, err := db.deleteAnnounced(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id, store.ChangeSessionRevoked)
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
		return 0, errors.New("sqlite: delete user sessions: empty user ID")
	}
	return db.deleteAnnounced(ctx, "delete user sessions", `DELETE FROM sessions WHERE user_id = ?`, userID, store.ChangeUserRevoked)
}

// DeleteExpiredSessions removes sessions whose absolute expiry is at or
// before now and returns how many. Idle sessions are left to the caller,
// which judges idleness from its own, fresher, last-seen times.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("session.delete_expired", time.Now(), &err)
	return db.deleteCount(ctx, "delete expired sessions", `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixMicro())
}

// ListSessions returns the sessions of userID ("" for all), newest first.
func (db *DB) ListSessions(ctx context.Context, userID string) (_ []store.Session, err error) {
	defer db.done("session.list", time.Now(), &err)
	q := `SELECT ` + sessionColumns + ` FROM sessions WHERE ? = '' OR user_id = ? ORDER BY created_at DESC, id`
	rows, err := db.r.QueryContext(ctx, q, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list sessions: %w", err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list sessions: %w", err)
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list sessions: %w", err)
	}
	return out, nil
}

func (db *DB) deleteCount(ctx context.Context, what, q string, arg any) (int, error) {
	res, err := db.w.ExecContext(ctx, q, arg)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return int(n), nil
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanSession(sc scanner) (*store.Session, error) {
	var (
		s                         store.Session
		ident                     string
		created, seen, expiration sql.NullInt64
	)
	if err := sc.Scan(&s.ID, &s.UserID, &s.Provider, &ident, &created, &seen, &expiration,
		&s.IP, &s.UserAgent, &s.IDToken, &s.SID); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ident), &s.Identity); err != nil {
		return nil, fmt.Errorf("decode identity: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromTS(created), fromTS(seen), fromTS(expiration)
	return &s, nil
}

// SessionsBySID returns the sessions that provider's session sid signed
// in (a back-channel logout may name only the sid), newest first.
func (db *DB) SessionsBySID(ctx context.Context, provider, sid string) (_ []store.Session, err error) {
	defer db.done("session.by_sid", time.Now(), &err)
	if sid == "" {
		return nil, errors.New("sqlite: sessions by sid: empty sid")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE provider = ? AND sid = ? AND sid <> '' ORDER BY created_at DESC, id`, provider, sid)
	if err != nil {
		return nil, fmt.Errorf("sqlite: sessions by sid: %w", err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: sessions by sid: %w", err)
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: sessions by sid: %w", err)
	}
	return out, nil
}
