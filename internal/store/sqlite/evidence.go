package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// PutEvidence stores e. It fails with store.ErrConflict if e.ID exists and
// with store.ErrNotFound if e.VerificationID names no verification. Evidence
// must carry its sealed bytes and a DeleteAfter: nothing is kept for ever.
func (db *DB) PutEvidence(ctx context.Context, e *store.Evidence) (err error) {
	defer db.done("evidence.put", time.Now(), &err)
	if e.ID == "" || e.VerificationID == "" {
		return errors.New("sqlite: evidence needs an ID and a VerificationID")
	}
	if len(e.Sealed) == 0 || e.DeleteAfter.IsZero() {
		return errors.New("sqlite: evidence needs sealed bytes and a DeleteAfter")
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: put evidence: %w", err)
	}
	defer rollback(tx)
	// Checked here rather than by decoding the foreign key error, so that the
	// caller gets the same ErrNotFound from every backend.
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM verifications WHERE id = ?`, e.VerificationID).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: put evidence: verification: %w", store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: put evidence: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO evidence (id, verification_id, kind, content_type, sealed, size, sha256,
		created_at, delete_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.VerificationID, e.Kind, e.ContentType, e.Sealed, e.Size, e.SHA256, ts(e.CreatedAt), ts(e.DeleteAfter))
	if err != nil {
		return fmt.Errorf("sqlite: put evidence: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: put evidence: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: put evidence: %w", err)
	}
	return nil
}

// GetEvidence returns the evidence with id, sealed bytes included, or
// store.ErrNotFound. Evidence past DeleteAfter but not yet deleted is
// returned as stored.
func (db *DB) GetEvidence(ctx context.Context, id string) (_ *store.Evidence, err error) {
	defer db.done("evidence.get", time.Now(), &err)
	var (
		e              store.Evidence
		created, after sql.NullInt64
	)
	err = db.r.QueryRowContext(ctx, `SELECT id, verification_id, kind, content_type, sealed, size, sha256,
		created_at, delete_after FROM evidence WHERE id = ?`, id).Scan(&e.ID, &e.VerificationID, &e.Kind,
		&e.ContentType, &e.Sealed, &e.Size, &e.SHA256, &created, &after)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get evidence: %w", err)
	}
	e.CreatedAt, e.DeleteAfter = fromTS(created), fromTS(after)
	return &e, nil
}

// ListEvidence returns the evidence of a verification, oldest CreatedAt
// first (then ID), as metadata only: Sealed is nil, so that listing a review
// queue never loads the images. Use GetEvidence for the bytes.
func (db *DB) ListEvidence(ctx context.Context, verificationID string) (_ []store.Evidence, err error) {
	defer db.done("evidence.list", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT id, verification_id, kind, content_type, size, sha256,
		created_at, delete_after FROM evidence WHERE verification_id = ? ORDER BY created_at, id`, verificationID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list evidence: %w", err)
	}
	defer rows.Close()
	var out []store.Evidence
	for rows.Next() {
		var (
			e              store.Evidence
			created, after sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &e.VerificationID, &e.Kind, &e.ContentType, &e.Size, &e.SHA256,
			&created, &after); err != nil {
			return nil, fmt.Errorf("sqlite: list evidence: %w", err)
		}
		e.CreatedAt, e.DeleteAfter = fromTS(created), fromTS(after)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list evidence: %w", err)
	}
	return out, nil
}

// DeleteEvidenceBefore removes evidence whose DeleteAfter is at or before
// now and returns how many. The verification records stay.
func (db *DB) DeleteEvidenceBefore(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("evidence.delete_before", time.Now(), &err)
	return db.deleteCount(ctx, "delete evidence", `DELETE FROM evidence WHERE delete_after <= ?`, now.UnixMicro())
}
