package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

const verificationColumns = `id, version, auth_request_id, client_id, rung, status, claimed_email, claimed_name,
	steps, reasons, person_subject, reviewer, review_note, reviewed_at, created_at, updated_at, expires_at`

// CreateVerification stores v with Version 1 and sets v.Version to 1. It
// fails with store.ErrConflict if v.ID exists.
func (db *DB) CreateVerification(ctx context.Context, v *store.Verification) (err error) {
	defer db.done("verification.create", time.Now(), &err)
	if err := v.Check(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	reasons, err := encodeStrings(v.Reasons)
	if err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO verifications (`+verificationColumns+`)
		VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		v.ID, v.AuthRequestID, v.ClientID, v.Rung, v.Status, v.ClaimedEmail, v.ClaimedName,
		blob(v.Steps), reasons, v.PersonSubject, v.Reviewer, v.ReviewNote,
		ts(v.ReviewedAt), ts(v.CreatedAt), ts(v.UpdatedAt), ts(v.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: create verification: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: create verification: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	v.Version = 1
	return nil
}

// GetVerification returns the verification with id, or store.ErrNotFound.
// Expired-but-unswept verifications are returned as stored.
func (db *DB) GetVerification(ctx context.Context, id string) (_ *store.Verification, err error) {
	defer db.done("verification.get", time.Now(), &err)
	return db.oneVerification(ctx, "get verification",
		`SELECT `+verificationColumns+` FROM verifications WHERE id = ?`, id)
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
		`SELECT `+verificationColumns+` FROM verifications WHERE auth_request_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`, authRequestID)
}

// FindApprovedVerification returns the newest (by CreatedAt) approved
// verification whose ClaimedEmail equals claimedEmail ignoring ASCII case,
// or store.ErrNotFound. Only ASCII letters are folded, so lookalike
// non-ASCII addresses never match each other. An empty email matches
// nothing.
func (db *DB) FindApprovedVerification(ctx context.Context, claimedEmail string) (_ *store.Verification, err error) {
	defer db.done("verification.find_approved", time.Now(), &err)
	if claimedEmail == "" {
		return nil, store.ErrNotFound
	}
	return db.oneVerification(ctx, "find approved verification",
		`SELECT `+verificationColumns+` FROM verifications
		WHERE lower(claimed_email) = lower(?) AND status = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`, claimedEmail, store.VerificationApproved)
}

// CountVerifications counts the verifications for claimedEmail (ASCII
// case folded) in status created at or after since: the verifier's retry
// limit. An empty email counts nothing.
func (db *DB) CountVerifications(ctx context.Context, claimedEmail, status string, since time.Time) (_ int, err error) {
	defer db.done("verification.count", time.Now(), &err)
	if claimedEmail == "" {
		return 0, nil
	}
	var n int
	err = db.r.QueryRowContext(ctx, `SELECT count(*) FROM verifications
		WHERE lower(claimed_email) = lower(?) AND status = ? AND created_at >= ?`,
		claimedEmail, status, ts(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count verifications: %w", err)
	}
	return n, nil
}

func (db *DB) oneVerification(ctx context.Context, what, q string, args ...any) (*store.Verification, error) {
	v, err := scanVerification(db.r.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return v, nil
}

// UpdateVerification replaces every field of the stored verification but
// ID and CreatedAt, provided its stored Version equals v.Version; it then
// stores and sets v.Version+1. A stale v fails with store.ErrConflict (re-read
// and retry), a missing one with store.ErrNotFound. Which status moves are
// allowed is the verifier's rule; the version check is what stops two
// requests, or a request and ExpireVerifications, from overwriting each
// other.
func (db *DB) UpdateVerification(ctx context.Context, v *store.Verification) (err error) {
	defer db.done("verification.update", time.Now(), &err)
	if err := v.Check(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	reasons, err := encodeStrings(v.Reasons)
	if err != nil {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update verification: %w", err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, `UPDATE verifications SET version = version + 1,
		auth_request_id = ?, client_id = ?, rung = ?, status = ?, claimed_email = ?, claimed_name = ?,
		steps = ?, reasons = ?, person_subject = ?, reviewer = ?, review_note = ?,
		reviewed_at = ?, updated_at = ?, expires_at = ?
		WHERE id = ? AND version = ?`,
		v.AuthRequestID, v.ClientID, v.Rung, v.Status, v.ClaimedEmail, v.ClaimedName,
		blob(v.Steps), reasons, v.PersonSubject, v.Reviewer, v.ReviewNote,
		ts(v.ReviewedAt), ts(v.UpdatedAt), ts(v.ExpiresAt), v.ID, v.Version)
	if err != nil {
		return fmt.Errorf("sqlite: update verification: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: update verification: %w", err)
	}
	if n == 0 {
		var one int
		switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM verifications WHERE id = ?`, v.ID).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			return store.ErrNotFound
		case err != nil:
			return fmt.Errorf("sqlite: update verification: %w", err)
		}
		return store.ErrConflict
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update verification: %w", err)
	}
	v.Version++
	return nil
}

// ListVerifications returns up to limit verifications with status ("" for
// any), oldest CreatedAt first (then ID). limit <= 0 means no limit.
func (db *DB) ListVerifications(ctx context.Context, status string, limit int) (_ []store.Verification, err error) {
	defer db.done("verification.list", time.Now(), &err)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	q, args := `SELECT `+verificationColumns+` FROM verifications ORDER BY created_at, id LIMIT ?`, []any{limit}
	if status != "" {
		// A separate statement, so that the (status, created_at) index serves it.
		q = `SELECT ` + verificationColumns + ` FROM verifications WHERE status = ? ORDER BY created_at, id LIMIT ?`
		args = []any{status, limit}
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list verifications: %w", err)
	}
	defer rows.Close()
	var out []store.Verification
	for rows.Next() {
		v, err := scanVerification(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list verifications: %w", err)
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list verifications: %w", err)
	}
	return out, nil
}

// ExpireVerifications moves every started or review verification whose
// ExpiresAt is at or before now to expired, setting UpdatedAt to now and
// bumping Version (so a request holding the old version gets ErrConflict).
// It returns how many moved.
func (db *DB) ExpireVerifications(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("verification.expire", time.Now(), &err)
	res, err := db.w.ExecContext(ctx, `UPDATE verifications SET status = ?, version = version + 1, updated_at = ?
		WHERE status IN (?, ?) AND expires_at <= ?`,
		store.VerificationExpired, now.UnixMicro(), store.VerificationStarted, store.VerificationReview, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("sqlite: expire verifications: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: expire verifications: %w", err)
	}
	return int(n), nil
}

func scanVerification(sc scanner) (*store.Verification, error) {
	var (
		v                                  store.Verification
		reasons                            sql.NullString
		reviewed, created, updated, expiry sql.NullInt64
	)
	if err := sc.Scan(&v.ID, &v.Version, &v.AuthRequestID, &v.ClientID, &v.Rung, &v.Status,
		&v.ClaimedEmail, &v.ClaimedName, &v.Steps, &reasons, &v.PersonSubject, &v.Reviewer, &v.ReviewNote,
		&reviewed, &created, &updated, &expiry); err != nil {
		return nil, err
	}
	var err error
	if v.Reasons, err = decodeStrings(reasons); err != nil {
		return nil, fmt.Errorf("decode reasons: %w", err)
	}
	if len(v.Steps) == 0 {
		v.Steps = nil
	}
	v.ReviewedAt, v.CreatedAt, v.UpdatedAt, v.ExpiresAt = fromTS(reviewed), fromTS(created), fromTS(updated), fromTS(expiry)
	return &v, nil
}

// encodeStrings is a JSON array column; an empty list is NULL, so it reads
// back as nil.
func encodeStrings(s []string) (any, error) {
	if len(s) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode list: %w", err)
	}
	return string(b), nil
}

func decodeStrings(v sql.NullString) ([]string, error) {
	if !v.Valid {
		return nil, nil
	}
	var s []string
	if err := json.Unmarshal([]byte(v.String), &s); err != nil {
		return nil, err
	}
	if len(s) == 0 {
		return nil, nil
	}
	return s, nil
}

// blob stores empty bytes as NULL, so that they read back as nil.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
