package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// PutConfig stores doc as the next shared configuration version, appends
// a config-changed change in the same transaction and keeps the latest
// store.ConfigHistory versions. The table lock (which readers do not wait
// for) serialises writers, so that max+1 never collides and versions
// follow commit order; pushes are rare, so queueing costs nothing.
func (db *DB) PutConfig(ctx context.Context, doc []byte, actor string, at time.Time) (_ int64, err error) {
	defer db.done("config.put", time.Now(), &err)
	if err := store.CheckConfig(doc, actor, at); err != nil {
		return 0, fmt.Errorf("postgres: put config: %w", err)
	}
	sum := sha256.Sum256(doc)
	var v int64
	err = db.inTx(ctx, "put config", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE config_versions IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("postgres: put config: %w", err)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO config_versions (version, document, sha256, actor, created_at)
			SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM config_versions RETURNING version`,
			string(doc), hex.EncodeToString(sum[:]), actor, at).Scan(&v); err != nil {
			return fmt.Errorf("postgres: put config: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM config_versions WHERE version <= $1`, v-store.ConfigHistory); err != nil {
			return fmt.Errorf("postgres: put config: %w", err)
		}
		if _, err := appendChange(ctx, tx, store.ChangeConfig, strconv.FormatInt(v, 10), "", at); err != nil {
			return fmt.Errorf("postgres: put config: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return v, nil
}

// LatestConfig returns the highest stored version, store.ErrNotFound when
// none was ever stored.
func (db *DB) LatestConfig(ctx context.Context) (_ *store.ConfigVersion, err error) {
	defer db.done("config.latest", time.Now(), &err)
	return db.readConfig(ctx, "latest config", `ORDER BY version DESC LIMIT 1`)
}

// GetConfig returns one version, store.ErrNotFound when it is not stored.
func (db *DB) GetConfig(ctx context.Context, version int64) (_ *store.ConfigVersion, err error) {
	defer db.done("config.get", time.Now(), &err)
	return db.readConfig(ctx, "get config", `WHERE version = $1`, version)
}

func (db *DB) readConfig(ctx context.Context, what, where string, args ...any) (*store.ConfigVersion, error) {
	var (
		c   store.ConfigVersion
		doc string
	)
	err := db.pool.QueryRow(ctx, `SELECT version, document, sha256, actor, created_at FROM config_versions `+where,
		args...).Scan(&c.Version, &doc, &c.SHA256, &c.Actor, &c.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	c.Document, c.CreatedAt = []byte(doc), c.CreatedAt.UTC()
	return &c, nil
}
