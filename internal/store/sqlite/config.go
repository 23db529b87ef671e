package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// PutConfig stores doc as the next shared configuration version, appends
// a config-changed change in the same transaction and keeps the latest
// store.ConfigHistory versions. The writer's BEGIN IMMEDIATE makes the
// max+1 numbering safe against other processes on the same file.
func (db *DB) PutConfig(ctx context.Context, doc []byte, actor string, at time.Time) (_ int64, err error) {
	defer db.done("config.put", time.Now(), &err)
	if err := store.CheckConfig(doc, actor, at); err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
	}
	sum := sha256.Sum256(doc)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
	}
	defer rollback(tx)
	var v int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO config_versions (version, document, sha256, actor, created_at)
		SELECT coalesce(max(version), 0) + 1, ?, ?, ?, ? FROM config_versions RETURNING version`,
		string(doc), hex.EncodeToString(sum[:]), actor, at.UnixMicro()).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM config_versions WHERE version <= ?`, v-store.ConfigHistory); err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
	}
	if _, err := appendChange(ctx, tx, store.ChangeConfig, strconv.FormatInt(v, 10), at); err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: put config: %w", err)
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
	return db.readConfig(ctx, "get config", `WHERE version = ?`, version)
}

func (db *DB) readConfig(ctx context.Context, what, where string, args ...any) (*store.ConfigVersion, error) {
	var (
		c   store.ConfigVersion
		doc string
		at  sql.NullInt64
	)
	err := db.r.QueryRowContext(ctx, `SELECT version, document, sha256, actor, created_at FROM config_versions `+where,
		args...).Scan(&c.Version, &doc, &c.SHA256, &c.Actor, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	c.Document, c.CreatedAt = []byte(doc), fromTS(at)
	return &c, nil
}
