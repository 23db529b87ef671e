package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// PutOPKey stores k, a signing key of the built-in OpenID Provider. Records
// are written once: it fails with store.ErrConflict if k.ID exists, so a
// replica can never overwrite a key another one already publishes.
func (db *DB) PutOPKey(ctx context.Context, k *store.SigningKey) (err error) {
	defer db.done("op_key.put", time.Now(), &err)
	if k.ID == "" || k.Algorithm == "" || len(k.PrivateKey) == 0 || len(k.PublicKey) == 0 {
		return errors.New("sqlite: OP key needs an ID, an algorithm and both keys")
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO op_keys (id, algorithm, private_key, public_key, created_at, retire_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		k.ID, k.Algorithm, k.PrivateKey, k.PublicKey, ts(k.CreatedAt), ts(k.RetireAt), ts(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("sqlite: put OP key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: put OP key: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	return nil
}

// ListOPKeys returns every OP signing key, newest CreatedAt first (then by
// ID), expired ones included: the caller owns the clock.
func (db *DB) ListOPKeys(ctx context.Context) (_ []store.SigningKey, err error) {
	defer db.done("op_key.list", time.Now(), &err)
	return db.listKeys(ctx, "op_keys", "OP keys")
}
