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

// UpsertUser creates u or updates its provider, subject, email, name and
// LastSeenAt. FirstSeenAt is set only on creation and the verification is
// never written here (sign-in knows nothing of it): u.FirstSeenAt and
// u.Verification are updated to the stored values.
func (db *DB) UpsertUser(ctx context.Context, u *store.User) (err error) {
	defer db.done("user.upsert", time.Now(), &err)
	if u.ID == "" {
		return errors.New("sqlite: user needs an ID")
	}
	var (
		first sql.NullInt64
		ver   sql.NullString
	)
	err = db.w.QueryRowContext(ctx, `INSERT INTO users (id, provider, subject, email, name, first_seen_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, subject = excluded.subject,
			email = excluded.email, name = excluded.name, last_seen_at = excluded.last_seen_at
		RETURNING first_seen_at, verification`,
		u.ID, u.Provider, u.Subject, u.Email, u.Name, ts(u.FirstSeenAt), ts(u.LastSeenAt)).Scan(&first, &ver)
	if err != nil {
		return fmt.Errorf("sqlite: upsert user: %w", err)
	}
	v, err := decodeVerification(ver)
	if err != nil {
		return fmt.Errorf("sqlite: upsert user: %w", err)
	}
	u.FirstSeenAt, u.Verification = fromTS(first), v
	return nil
}

// GetUser returns the user with id, or store.ErrNotFound.
func (db *DB) GetUser(ctx context.Context, id string) (_ *store.User, err error) {
	defer db.done("user.get", time.Now(), &err)
	u, err := scanUser(db.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user: %w", err)
	}
	return u, nil
}

// SetUserVerification replaces the stored verification of user userID; nil
// clears it. It returns store.ErrNotFound if there is no such user.
func (db *DB) SetUserVerification(ctx context.Context, userID string, v *identity.Verification) (err error) {
	defer db.done("user.set_verification", time.Now(), &err)
	var enc any // NULL for nil
	if v != nil {
		b, err := json.Marshal(utcVerification(v))
		if err != nil {
			return fmt.Errorf("sqlite: set user verification: %w", err)
		}
		enc = string(b)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE users SET verification = ? WHERE id = ?`, enc, userID)
	if err != nil {
		return fmt.Errorf("sqlite: set user verification: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: set user verification: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// utcVerification returns a copy of v with its times in UTC (as every time
// read back is), or nil for nil.
func utcVerification(v *identity.Verification) *identity.Verification {
	if v == nil {
		return nil
	}
	vc := *v
	vc.VerifiedAt, vc.AuthTime = vc.VerifiedAt.UTC(), vc.AuthTime.UTC()
	return &vc
}

// decodeVerification reads the users.verification column; NULL is nil.
func decodeVerification(col sql.NullString) (*identity.Verification, error) {
	if !col.Valid {
		return nil, nil
	}
	var v identity.Verification
	if err := json.Unmarshal([]byte(col.String), &v); err != nil {
		return nil, fmt.Errorf("decode verification: %w", err)
	}
	return &v, nil
}

// UsersByEmail returns the users (one per provider at most, usually) whose
// email equals email, ignoring case, oldest first.
func (db *DB) UsersByEmail(ctx context.Context, email string) (_ []store.User, err error) {
	defer db.done("user.by_email", time.Now(), &err)
	if email == "" {
		return nil, errors.New("sqlite: users by email: empty email")
	}
	out, err := db.queryUsers(ctx, `SELECT `+userColumns+` FROM users WHERE lower(email) = lower(?)
		ORDER BY first_seen_at, id`, email)
	if err != nil {
		return nil, fmt.Errorf("sqlite: users by email: %w", err)
	}
	return out, nil
}

// ListUsers returns the users q selects (see store.UserQuery). The match
// is instr() on lower(), which folds ASCII only: no pattern, so nothing in
// it is a wildcard. Unfiltered, the (last_seen_at DESC, id) index serves
// the order and the limit.
func (db *DB) ListUsers(ctx context.Context, q store.UserQuery) (_ []store.User, err error) {
	defer db.done("user.list", time.Now(), &err)
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	query, args := `SELECT `+userColumns+` FROM users ORDER BY last_seen_at DESC, id LIMIT ?1`, []any{limit}
	if q.Match != "" {
		query = `SELECT ` + userColumns + ` FROM users
			WHERE instr(lower(id), lower(?2)) > 0 OR instr(lower(email), lower(?2)) > 0 OR instr(lower(name), lower(?2)) > 0
			ORDER BY last_seen_at DESC, id LIMIT ?1`
		args = append(args, q.Match)
	}
	out, err := db.queryUsers(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	return out, nil
}

const userColumns = `id, provider, subject, email, name, first_seen_at, last_seen_at, verification`

// queryUsers runs a SELECT of userColumns.
func (db *DB) queryUsers(ctx context.Context, query string, args ...any) ([]store.User, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// scanUser reads one row of userColumns.
func scanUser(sc scanner) (*store.User, error) {
	var (
		u           store.User
		first, last sql.NullInt64
		ver         sql.NullString
	)
	if err := sc.Scan(&u.ID, &u.Provider, &u.Subject, &u.Email, &u.Name, &first, &last, &ver); err != nil {
		return nil, err
	}
	v, err := decodeVerification(ver)
	if err != nil {
		return nil, err
	}
	u.FirstSeenAt, u.LastSeenAt, u.Verification = fromTS(first), fromTS(last), v
	return &u, nil
}
