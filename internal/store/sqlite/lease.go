package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Leases (see store/lease.go). Every write runs on the one writer
// connection in a BEGIN IMMEDIATE transaction, which also holds off other
// processes sharing the file, so reading the lease and taking it are one
// step.

// AcquireLease takes or renews the lease name for holder until now+ttl,
// unless another holder has it after now. It reports whether holder has
// it, and until when (another holder's expiry when not).
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (held bool, until time.Time, err error) {
	defer db.done("lease.acquire", time.Now(), &err)
	if err := store.CheckLease(name, holder, ttl, now); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: acquire lease: %w", err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: acquire lease: %w", err)
	}
	defer rollback(tx)
	var end sql.NullInt64
	err = tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= ? OR leases.holder = excluded.holder
		RETURNING until`, name, holder, now.Add(ttl).UnixMicro(), now.UnixMicro()).Scan(&end)
	switch {
	case err == nil:
		held = true
	case errors.Is(err, sql.ErrNoRows): // another holder's, and not expired
		if err := tx.QueryRowContext(ctx, `SELECT until FROM leases WHERE name = ?`, name).Scan(&end); err != nil {
			return false, time.Time{}, fmt.Errorf("sqlite: acquire lease: %w", err)
		}
	default:
		return false, time.Time{}, fmt.Errorf("sqlite: acquire lease: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: acquire lease: %w", err)
	}
	return held, fromTS(end), nil
}

// ReleaseLease ends holder's lease on name at once, so that another
// holder may take it without waiting for it to expire. It does nothing
// when holder does not hold it.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) (err error) {
	defer db.done("lease.release", time.Now(), &err)
	if name == "" || holder == "" {
		return errors.New("sqlite: release lease: empty name or holder")
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("sqlite: release lease: %w", err)
	}
	return nil
}
