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

// MarkUsed records key in the replay ledger until expires. It reports true
// only to the first caller for a key, across goroutines and replicas. A key
// stays used until PurgeUsed removes it, even past expires: the ledger reads
// no clock, and refusing a late replay is the safe answer.
func (db *DB) MarkUsed(ctx context.Context, key string, expires time.Time) (first bool, err error) {
	defer db.done("replay.mark", time.Now(), &err)
	if key == "" {
		return false, errors.New("postgres: empty replay key")
	}
	if expires.IsZero() {
		return false, errors.New("postgres: replay key needs an expiry")
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO used_keys (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, expires)
	if err != nil {
		return false, fmt.Errorf("postgres: mark used: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseUsed forgets key, so that it may be used once more: for a
// one-time value whose use failed before it took effect. Releasing an
// unknown key is not an error.
func (db *DB) ReleaseUsed(ctx context.Context, key string) (err error) {
	defer db.done("replay.release", time.Now(), &err)
	if key == "" {
		return errors.New("postgres: empty replay key")
	}
	if !storable(key) {
		return nil // never stored, so nothing to release
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM used_keys WHERE key = $1`, key); err != nil {
		return fmt.Errorf("postgres: release used key: %w", err)
	}
	return nil
}

// PurgeUsed removes ledger keys that expired at or before now and returns
// how many.
func (db *DB) PurgeUsed(ctx context.Context, now time.Time) (_ int, err error) {
	defer db.done("replay.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge used keys", `DELETE FROM used_keys WHERE expires_at <= $1`, now)
}

func checkKey(k *store.SigningKey, what string) error {
	if k.ID == "" || k.Algorithm == "" || len(k.PrivateKey) == 0 || len(k.PublicKey) == 0 {
		return fmt.Errorf("postgres: %s needs an ID, an algorithm and both keys", what)
	}
	return nil
}

// PutSigningKey creates k or replaces the key with the same ID (rotation
// updates RetireAt and ExpiresAt this way).
func (db *DB) PutSigningKey(ctx context.Context, k *store.SigningKey) (err error) {
	defer db.done("signing_key.put", time.Now(), &err)
	if err := checkKey(k, "signing key"); err != nil {
		return err
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO signing_keys (id, algorithm, private_key, public_key, created_at, retire_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET algorithm = excluded.algorithm, private_key = excluded.private_key,
			public_key = excluded.public_key, created_at = excluded.created_at,
			retire_at = excluded.retire_at, expires_at = excluded.expires_at`,
		k.ID, k.Algorithm, k.PrivateKey, k.PublicKey, ts(k.CreatedAt), ts(k.RetireAt), ts(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: put signing key: %w", err)
	}
	return nil
}

// ListSigningKeys returns every signing key, newest CreatedAt first.
func (db *DB) ListSigningKeys(ctx context.Context) (_ []store.SigningKey, err error) {
	defer db.done("signing_key.list", time.Now(), &err)
	return db.listKeys(ctx, "signing_keys", "signing keys")
}

// PutOPKey stores k, a signing key of the built-in OpenID Provider. Records
// are written once: it fails with store.ErrConflict if k.ID exists, so a
// replica can never overwrite a key another one already publishes.
func (db *DB) PutOPKey(ctx context.Context, k *store.SigningKey) (err error) {
	defer db.done("op_key.put", time.Now(), &err)
	if err := checkKey(k, "OP key"); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO op_keys (id, algorithm, private_key, public_key, created_at, retire_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		k.ID, k.Algorithm, k.PrivateKey, k.PublicKey, ts(k.CreatedAt), ts(k.RetireAt), ts(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("postgres: put OP key: %w", err)
	}
	return affected(tag, store.ErrConflict)
}

// ListOPKeys returns every OP signing key, newest CreatedAt first (then by
// ID), expired ones included: the caller owns the clock.
func (db *DB) ListOPKeys(ctx context.Context) (_ []store.SigningKey, err error) {
	defer db.done("op_key.list", time.Now(), &err)
	return db.listKeys(ctx, "op_keys", "OP keys")
}

// listKeys reads a key table (signing_keys or op_keys: the same columns),
// newest CreatedAt first, then by ID. The table name is a constant of the
// callers, never input.
func (db *DB) listKeys(ctx context.Context, table, what string) ([]store.SigningKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, algorithm, private_key, public_key, created_at, retire_at, expires_at
		FROM `+table+` ORDER BY created_at DESC NULLS LAST, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list %s: %w", what, err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.SigningKey, error) {
		var (
			k                       store.SigningKey
			created, retire, expiry pgtype.Timestamptz
		)
		err := r.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &k.PublicKey, &created, &retire, &expiry)
		k.CreatedAt, k.RetireAt, k.ExpiresAt = fromTS(created), fromTS(retire), fromTS(expiry)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list %s: %w", what, err)
	}
	return out, nil
}
