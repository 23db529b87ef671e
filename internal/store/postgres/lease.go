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

// Leases (see store/lease.go).

// AcquireLease takes or renews the lease name for holder until now+ttl,
// unless another holder has it after now. One statement decides: an
// insert that conflicts locks the row and updates it only when it is
// expired or holder's, judged on the row as it stands after any
// concurrent taker committed, so of holders racing exactly one wins. It
// reports whether holder has the lease, and until when (another holder's
// expiry when not).
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (held bool, until time.Time, err error) {
	defer db.done("lease.acquire", time.Now(), &err)
	if err := store.CheckLease(name, holder, ttl, now); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: acquire lease: %w", err)
	}
	var end pgtype.Timestamptz
	err = db.pool.QueryRow(ctx, `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= $4 OR leases.holder = excluded.holder
		RETURNING until`, name, holder, now.Add(ttl), now).Scan(&end)
	switch {
	case err == nil:
		return true, fromTS(end), nil
	case !errors.Is(err, pgx.ErrNoRows):
		return false, time.Time{}, fmt.Errorf("postgres: acquire lease: %w", err)
	}
	// Another holder's. Its expiry is only a hint (it may be renewed or
	// released meanwhile), so a separate read will do.
	err = db.pool.QueryRow(ctx, `SELECT until FROM leases WHERE name = $1`, name).Scan(&end)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, time.Time{}, fmt.Errorf("postgres: acquire lease: %w", err)
	}
	return false, fromTS(end), nil
}

// ReleaseLease ends holder's lease on name at once, so that another
// holder may take it without waiting for it to expire. It does nothing
// when holder does not hold it.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) (err error) {
	defer db.done("lease.release", time.Now(), &err)
	if name == "" || holder == "" {
		return errors.New("postgres: release lease: empty name or holder")
	}
	if !storable(name, holder) {
		return nil // never stored, so not held
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("postgres: release lease: %w", err)
	}
	return nil
}
