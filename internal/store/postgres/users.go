package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/vigil-gw/vigil/internal/identity"
	"github.com/vigil-gw/vigil/internal/store"
)

const userColumns = `id, provider, subject, email, name, first_seen_at, last_seen_at, verification`

// UpsertUser creates u or updates its provider, subject, email, name and
// LastSeenAt. FirstSeenAt is set only on creation and the verification is
// never written here (sign-in knows nothing of it): u.FirstSeenAt and
// u.Verification are updated to the stored values.
func (db *DB) UpsertUser(ctx context.Context, u *store.User) (err error) {
	defer db.done("user.upsert", time.Now(), &err)
	if u.ID == "" {
		return errors.New("postgres: user needs an ID")
	}
	var (
		first pgtype.Timestamptz
		ver   []byte
	)
	err = db.pool.QueryRow(ctx, `INSERT INTO users (id, provider, subject, email, name, first_seen_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, subject = excluded.subject,
			email = excluded.email, name = excluded.name, last_seen_at = excluded.last_seen_at
		RETURNING first_seen_at, verification`,
		u.ID, u.Provider, u.Subject, u.Email, u.Name, ts(u.FirstSeenAt), ts(u.LastSeenAt)).Scan(&first, &ver)
	if err != nil {
		return fmt.Errorf("postgres: upsert user: %w", err)
	}
	v, err := decodeVerification(ver)
	if err != nil {
		return fmt.Errorf("postgres: upsert user: %w", err)
	}
	u.FirstSeenAt, u.Verification = fromTS(first), v
	return nil
}

// GetUser returns the user with id, or store.ErrNotFound.
func (db *DB) GetUser(ctx context.Context, id string) (_ *store.User, err error) {
	defer db.done("user.get", time.Now(), &err)
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get user: %w", err)
	}
	return &u, nil
}

// SetUserVerification replaces the stored verification of user userID; nil
// clears it. It returns store.ErrNotFound if there is no such user.
func (db *DB) SetUserVerification(ctx context.Context, userID string, v *identity.Verification) (err error) {
	defer db.done("user.set_verification", time.Now(), &err)
	if !storable(userID) {
		return store.ErrNotFound
	}
	var enc any // NULL for nil
	if v != nil {
		b, err := json.Marshal(utcVerification(v))
		if err != nil {
			return fmt.Errorf("postgres: set user verification: %w", err)
		}
		enc = string(b)
	}
	tag, err := db.pool.Exec(ctx, `UPDATE users SET verification = $1 WHERE id = $2`, enc, userID)
	if err != nil {
		return fmt.Errorf("postgres: set user verification: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// UsersByEmail returns the users (one per provider at most, usually) whose
// email equals email ignoring ASCII case, oldest first.
func (db *DB) UsersByEmail(ctx context.Context, email string) (_ []store.User, err error) {
	defer db.done("user.by_email", time.Now(), &err)
	if email == "" {
		return nil, errors.New("postgres: users by email: empty email")
	}
	if !storable(email) {
		return nil, nil
	}
	// lower() under the "C" collation folds ASCII only, as SQLite's does.
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE lower(email) = lower($1::text COLLATE "C") ORDER BY first_seen_at NULLS FIRST, id`, email)
	if err != nil {
		return nil, fmt.Errorf("postgres: users by email: %w", err)
	}
	out, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("postgres: users by email: %w", err)
	}
	return out, nil
}

// ListUsers returns the users q selects (see store.UserQuery). The match
// is strpos() on lower() under the "C" collation, which folds ASCII only,
// as SQLite's: no pattern, so nothing in it is a wildcard. Unfiltered, the
// (last_seen_at DESC NULLS LAST, id) index serves the order and the limit.
func (db *DB) ListUsers(ctx context.Context, q store.UserQuery) (_ []store.User, err error) {
	defer db.done("user.list", time.Now(), &err)
	if !storable(q.Match) {
		return nil, nil // no stored text contains it
	}
	var lim *int // NULL: LIMIT NULL is no limit
	if q.Limit > 0 {
		lim = &q.Limit
	}
	query, args := `SELECT `+userColumns+` FROM users ORDER BY last_seen_at DESC NULLS LAST, id LIMIT $1`, []any{lim}
	if q.Match != "" {
		query = `SELECT ` + userColumns + ` FROM users
			WHERE strpos(lower(id), lower($2::text COLLATE "C")) > 0
				OR strpos(lower(email), lower($2::text COLLATE "C")) > 0
				OR strpos(lower(name COLLATE "C"), lower($2::text COLLATE "C")) > 0
			ORDER BY last_seen_at DESC NULLS LAST, id LIMIT $1`
		args = append(args, q.Match)
	}
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	out, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("postgres: list users: %w", err)
	}
	return out, nil
}

func scanUser(r pgx.Row) (store.User, error) {
	var (
		u           store.User
		first, last pgtype.Timestamptz
		ver         []byte
	)
	if err := r.Scan(&u.ID, &u.Provider, &u.Subject, &u.Email, &u.Name, &first, &last, &ver); err != nil {
		return u, err
	}
	v, err := decodeVerification(ver)
	if err != nil {
		return u, err
	}
	u.FirstSeenAt, u.LastSeenAt, u.Verification = fromTS(first), fromTS(last), v
	return u, nil
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
func decodeVerification(col []byte) (*identity.Verification, error) {
	if col == nil {
		return nil, nil
	}
	var v identity.Verification
	if err := json.Unmarshal(col, &v); err != nil {
		return nil, fmt.Errorf("decode verification: %w", err)
	}
	return &v, nil
}
