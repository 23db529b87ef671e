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

// PutEvidence stores e. It fails with store.ErrNotFound if e.VerificationID
// names no verification and with store.ErrConflict if e.ID exists. Evidence
// must carry its sealed bytes and a DeleteAfter: nothing is kept for ever.
func (db *DB) PutEvidence(ctx context.Context, e *store.Evidence) (err error) {
	defer db.done("evidence.put", time.Now(), &err)
	if e.ID == "" || e.VerificationID == "" {
		return errors.New("postgres: evidence needs an ID and a VerificationID")
	}
	if len(e.Sealed) == 0 || e.DeleteAfter.IsZero() {
		return errors.New("postgres: evidence needs sealed bytes and a DeleteAfter")
	}
	// Inserted only for a known verification; when nothing was inserted a
	// second query tells which error it is, the same as every backend's.
	tag, err := db.pool.Exec(ctx, `INSERT INTO evidence (id, verification_id, kind, content_type, sealed, size, sha256,
		created_at, delete_after) SELECT $1, id, $3, $4, $5, $6, $7, $8, $9 FROM verifications WHERE id = $2
		ON CONFLICT (id) DO NOTHING`,
		e.ID, e.VerificationID, e.Kind, e.ContentType, e.Sealed, e.Size, e.SHA256, ts(e.CreatedAt), ts(e.DeleteAfter))
	if err != nil {
		return fmt.Errorf("postgres: put evidence: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM verifications WHERE id = $1)`, e.VerificationID).Scan(&exists); err != nil {
		return fmt.Errorf("postgres: put evidence: %w", err)
	}
	if !exists {
		return fmt.Errorf("postgres: put evidence: verification: %w", store.ErrNotFound)
	}
	return store.ErrConflict
}

// GetEvidence returns the evidence with id, sealed bytes included, or
// store.ErrNotFound. Evidence past DeleteAfter but not yet deleted is
// returned as stored.
func (db *DB) GetEvidence(ctx context.Context, id string) (_ *store.Evidence, err error) {
	defer db.done("evidence.get", time.Now(), &err)
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	var (
		e              store.Evidence
		created, after pgtype.Timestamptz
	)
	err = db.pool.QueryRow(ctx, `SELECT id, verification_id, kind, content_type, sealed, size, sha256,
		created_at, delete_after FROM evidence WHERE id = $1`, id).Scan(&e.ID, &e.VerificationID, &e.Kind,
		&e.ContentType, &e.Sealed, &e.Size, &e.SHA256, &created, &after)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get evidence: %w", err)
	}
	e.CreatedAt, e.DeleteAfter = fromTS(created), fromTS(after)
	return &e, nil
}

// ListEvidence returns the evidence of a verification, oldest CreatedAt
// first (then ID), as metadata only: Sealed is nil, so that listing a review
// queue never loads the images. Use GetEvidence for the bytes.
func (db *DB) ListEvidence(ctx context.Context, verificationID string) (_ []store.Evidence, err error) {
	defer db.done("evidence.list", time.Now(), &err)
	if !storable(verificationID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, verification_id, kind, content_type, size, sha256,
		created_at, delete_after FROM evidence WHERE verification_id = $1 ORDER BY created_at NULLS FIRST, id`,
		verificationID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list evidence: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.Evidence, error) {
		var (
			e              store.Evidence
			created, after pgtype.Timestamptz
		)
		err := r.Scan(&e.ID, &e.VerificationID, &e.Kind, &e.ContentType, &e.Size, &e.SHA256, &created, &after)
		e.CreatedAt, e.DeleteAfter = fromTS(created), fromTS(after)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list evidence: %w", err)
	}
	return out, nil
}

// DeleteEvidenceBefore removes evidence whose DeleteAfter is at or before
// now and returns how many. The verification records stay.
func (db *DB) DeleteEvidenceBefore(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("evidence.delete_before", time.Now(), &err)
	return db.deleteCount(ctx, "delete evidence", `DELETE FROM evidence WHERE delete_after <= $1`, now)
}
