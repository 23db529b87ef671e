package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/vigil-gw/vigil/internal/store"
)

const verificationColumns = `id, version, auth_request_id, client_id, rung, status, claimed_email, claimed_name,
	steps, reasons, person_subject, reviewer, review_note, reviewed_at, created_at, updated_at, expires_at`

// CreateVerification stores v with Version 1 and sets v.Version to 1. It
// fails with store.ErrConflict if v.ID exists.
func (db *DB) CreateVerification(ctx context.Context, v *store.Verification) (err error) {
	defer db.done("verification.create", time.Now(), &err)
	if err := v.Check(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO verifications (`+verificationColumns+`)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (id) DO NOTHING`,
		v.ID, v.AuthRequestID, v.ClientID, v.Rung, v.Status, v.ClaimedEmail, v.ClaimedName,
		nilIfEmpty(v.Steps), nilIfEmpty(v.Reasons), v.PersonSubject, v.Reviewer, v.ReviewNote,
		ts(v.ReviewedAt), ts(v.CreatedAt), ts(v.UpdatedAt), ts(v.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: create verification: %w", err)
	}
	if err := affected(tag, store.ErrConflict); err != nil {
		return err
	}
	v.Version = 1
	return nil
}

// GetVerification returns the verification with id, or store.ErrNotFound.
// Expired-but-unswept verifications are returned as stored.
func (db *DB) GetVerification(ctx context.Context, id string) (_ *store.Verification, err error) {
	defer db.done("verification.get", time.Now(), &err)
	return db.oneVerification(ctx, "get verification",
		`SELECT `+verificationColumns+` FROM verifications WHERE id = $1`, id)
}

// GetVerificationByAuthRequest returns the newest (by CreatedAt)
// verification for an OpenID auth request, or store.ErrNotFound. An empty
// authRequestID matches nothing.
func (db *DB) GetVerificationByAuthRequest(ctx context.Context, authRequestID string) (_ *store.Verification, err error) {
	defer db.done("verification.get_by_auth_request", time.Now(), &err)
	if authRequestID == "" {
		return nil, store.ErrNotFound
	}
	return db.oneVerification(ctx, "get verification by auth request",
		`SELECT `+verificationColumns+` FROM verifications WHERE auth_request_id = $1
		ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1`, authRequestID)
}

// FindApprovedVerification returns the newest (by CreatedAt) approved
// verification whose ClaimedEmail equals claimedEmail ignoring ASCII case,
// or store.ErrNotFound. Only ASCII letters are folded (lower() under the
// "C" collation), so lookalike non-ASCII addresses never match each other.
// An empty email matches nothing.
func (db *DB) FindApprovedVerification(ctx context.Context, claimedEmail string) (_ *store.Verification, err error) {
	defer db.done("verification.find_approved", time.Now(), &err)
	if claimedEmail == "" {
		return nil, store.ErrNotFound
	}
	return db.oneVerification(ctx, "find approved verification",
		`SELECT `+verificationColumns+` FROM verifications
		WHERE lower(claimed_email) = lower($1::text COLLATE "C") AND status = $2
		ORDER BY created_at DESC NULLS LAST, id DESC LIMIT 1`, claimedEmail, store.VerificationApproved)
}

// CountVerifications counts the verifications for claimedEmail (ASCII
// case folded) in status created at or after since: the verifier's retry
// limit. An empty email counts nothing.
func (db *DB) CountVerifications(ctx context.Context, claimedEmail, status string, since time.Time) (_ int, err error) {
	defer db.done("verification.count", time.Now(), &err)
	if claimedEmail == "" || !storable(claimedEmail, status) {
		return 0, nil
	}
	var n int
	err = db.pool.QueryRow(ctx, `SELECT count(*) FROM verifications
		WHERE lower(claimed_email) = lower($1::text COLLATE "C") AND status = $2 AND created_at >= $3`,
		claimedEmail, status, ts(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("postgres: count verifications: %w", err)
	}
	return n, nil
}

// oneVerification runs q, whose first argument is the looked-up key.
func (db *DB) oneVerification(ctx context.Context, what, q string, key string, args ...any) (*store.Verification, error) {
	if !storable(key) {
		return nil, store.ErrNotFound
	}
	v, err := scanVerification(db.pool.QueryRow(ctx, q, append([]any{key}, args...)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return &v, nil
}

// UpdateVerification replaces every field of the stored verification but
// ID and CreatedAt, provided its stored Version equals v.Version; it then
// stores and sets v.Version+1. A stale v fails with store.ErrConflict (re-read
// and retry), a missing one with store.ErrNotFound. The version check is
// what stops two requests, or a request and ExpireVerifications, from
// overwriting each other: the UPDATE's row lock makes the second writer
// re-check the version the first one committed.
func (db *DB) UpdateVerification(ctx context.Context, v *store.Verification) (err error) {
	defer db.done("verification.update", time.Now(), &err)
	if err := v.Check(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	tag, err := db.pool.Exec(ctx, `UPDATE verifications SET version = version + 1,
		auth_request_id = $1, client_id = $2, rung = $3, status = $4, claimed_email = $5, claimed_name = $6,
		steps = $7, reasons = $8, person_subject = $9, reviewer = $10, review_note = $11,
		reviewed_at = $12, updated_at = $13, expires_at = $14
		WHERE id = $15 AND version = $16`,
		v.AuthRequestID, v.ClientID, v.Rung, v.Status, v.ClaimedEmail, v.ClaimedName,
		nilIfEmpty(v.Steps), nilIfEmpty(v.Reasons), v.PersonSubject, v.Reviewer, v.ReviewNote,
		ts(v.ReviewedAt), ts(v.UpdatedAt), ts(v.ExpiresAt), v.ID, v.Version)
	if err != nil {
		return fmt.Errorf("postgres: update verification: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM verifications WHERE id = $1)`, v.ID).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: update verification: %w", err)
		}
		if !exists {
			return store.ErrNotFound
		}
		return store.ErrConflict
	}
	v.Version++
	return nil
}

// ListVerifications returns up to limit verifications with status ("" for
// any), oldest CreatedAt first (then ID). limit <= 0 means no limit.
func (db *DB) ListVerifications(ctx context.Context, status string, limit int) (_ []store.Verification, err error) {
	defer db.done("verification.list", time.Now(), &err)
	if !storable(status) {
		return nil, nil
	}
	var lim *int // NULL: LIMIT NULL is no limit
	if limit > 0 {
		lim = &limit
	}
	q, args := `SELECT `+verificationColumns+` FROM verifications ORDER BY created_at NULLS FIRST, id LIMIT $1`, []any{lim}
	if status != "" {
		// A separate statement, so that the (status, created_at) index serves it.
		q = `SELECT ` + verificationColumns + ` FROM verifications WHERE status = $2
			ORDER BY created_at NULLS FIRST, id LIMIT $1`
		args = append(args, status)
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list verifications: %w", err)
	}
	out, err := collect(rows, scanVerification)
	if err != nil {
		return nil, fmt.Errorf("postgres: list verifications: %w", err)
	}
	return out, nil
}

// ExpireVerifications moves every started or review verification whose
// ExpiresAt is at or before now to expired, setting UpdatedAt to now and
// bumping Version (so a request holding the old version gets ErrConflict).
// It returns how many moved.
func (db *DB) ExpireVerifications(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("verification.expire", time.Now(), &err)
	var n int64
	err = retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `UPDATE verifications SET status = $1, version = version + 1, updated_at = $2
			WHERE status IN ($3, $4) AND expires_at <= $2`,
			store.VerificationExpired, now, store.VerificationStarted, store.VerificationReview)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: expire verifications: %w", err)
	}
	return int(n), nil
}

func scanVerification(r pgx.Row) (store.Verification, error) {
	var (
		v                                  store.Verification
		reviewed, created, updated, expiry pgtype.Timestamptz
	)
	if err := r.Scan(&v.ID, &v.Version, &v.AuthRequestID, &v.ClientID, &v.Rung, &v.Status,
		&v.ClaimedEmail, &v.ClaimedName, &v.Steps, &v.Reasons, &v.PersonSubject, &v.Reviewer, &v.ReviewNote,
		&reviewed, &created, &updated, &expiry); err != nil {
		return v, err
	}
	v.Steps, v.Reasons = nilIfEmpty(v.Steps), nilIfEmpty(v.Reasons)
	v.ReviewedAt, v.CreatedAt, v.UpdatedAt, v.ExpiresAt = fromTS(reviewed), fromTS(created), fromTS(updated), fromTS(expiry)
	return v, nil
}
