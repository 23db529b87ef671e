package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// MarkUsed records key in the replay ledger until expires. It reports true
// only to the first caller for a key, across goroutines and processes. A key
// stays used until PurgeUsed removes it, even past expires: the ledger reads
// no clock, and refusing a late replay is the safe answer.
func (db *DB) MarkUsed(ctx context.Context, key string, expires time.Time) (first bool, err error) {
	defer db.done("replay.mark", time.Now(), &err)
	if key == "" {
		return false, errors.New("sqlite: empty replay key")
	}
	if expires.IsZero() {
		return false, errors.New("sqlite: replay key needs an expiry")
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO used_keys (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, expires.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("sqlite: mark used: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: mark used: %w", err)
	}
	return n == 1, nil
}

// ReleaseUsed forgets key, so that it may be used once more: for a
// one-time value whose use failed before it took effect (a security event
// whose application failed is accepted again on any replica). Releasing an
// unknown key is not an error.
func (db *DB) ReleaseUsed(ctx context.Context, key string) (err error) {
	defer db.done("replay.release", time.Now(), &err)
	if key == "" {
		return errors.New("sqlite: empty replay key")
	}
	if _, err := db.w.ExecContext(ctx, `DELETE FROM used_keys WHERE key = ?`, key); err != nil {
		return fmt.Errorf("sqlite: release used key: %w", err)
	}
	return nil
}

// PurgeUsed removes ledger keys that expired at or before now and returns
// how many.
func (db *DB) PurgeUsed(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("replay.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge used keys", `DELETE FROM used_keys WHERE expires_at <= ?`, now.UnixMicro())
}

// PutSigningKey creates k or replaces the key with the same ID (rotation
// updates RetireAt and ExpiresAt this way).
func (db *DB) PutSigningKey(ctx context.Context, k *store.SigningKey) (err error) {
	defer db.done("signing_key.put", time.Now(), &err)
	if k.ID == "" || k.Algorithm == "" || len(k.PrivateKey) == 0 || len(k.PublicKey) == 0 {
		return errors.New("sqlite: signing key needs an ID, an algorithm and both keys")
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, private_key, public_key, created_at, retire_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET algorithm = excluded.algorithm, private_key = excluded.private_key,
			public_key = excluded.public_key, created_at = excluded.created_at,
			retire_at = excluded.retire_at, expires_at = excluded.expires_at`,
		k.ID, k.Algorithm, k.PrivateKey, k.PublicKey, ts(k.CreatedAt), ts(k.RetireAt), ts(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: put signing key: %w", err)
	}
	return nil
}

// ListSigningKeys returns every signing key, newest CreatedAt first.
func (db *DB) ListSigningKeys(ctx context.Context) (_ []store.SigningKey, err error) {
	defer db.done("signing_key.list", time.Now(), &err)
	return db.listKeys(ctx, "signing_keys", "signing keys")
}

// listKeys reads a key table (signing_keys or op_keys: the same columns),
// newest CreatedAt first, then by ID. The table name is a constant of the
// callers, never input.
func (db *DB) listKeys(ctx context.Context, table, what string) ([]store.SigningKey, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, algorithm, private_key, public_key, created_at, retire_at, expires_at
		FROM `+table+` ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
	}
	defer rows.Close()
	var out []store.SigningKey
	for rows.Next() {
		var (
			k                       store.SigningKey
			created, retire, expiry sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &k.PublicKey, &created, &retire, &expiry); err != nil {
			return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
		}
		k.CreatedAt, k.RetireAt, k.ExpiresAt = fromTS(created), fromTS(retire), fromTS(expiry)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
	}
	return out, nil
}
