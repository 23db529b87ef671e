package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// ErrNewerSchema is returned by Open when the database has migrations this
// binary does not know: running an old binary against it could corrupt data.
var ErrNewerSchema = errors.New("sqlite: database schema is newer than this binary supports")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// loadMigrations reads the embedded migrations (store.LoadMigrations).
func loadMigrations(fsys fs.FS) ([]store.Migration, error) {
	ms, err := store.LoadMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return ms, nil
}

// migrate applies pending migrations, each in its own transaction. The
// writer's transactions start with BEGIN IMMEDIATE, so two processes opening
// the same file at once apply each migration exactly once.
func (db *DB) migrate(ctx context.Context) (err error) {
	defer db.done("migrate", time.Now(), &err)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for _, m := range ms {
		if err := db.apply(ctx, m, len(ms)); err != nil {
			return err
		}
	}
	// Also catches a newer schema when this binary has nothing to apply.
	_, err = db.schemaVersion(ctx, len(ms))
	return err
}

// apply runs one migration unless the database already has it.
func (db *DB) apply(ctx context.Context, m store.Migration, known int) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer rollback(tx)
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if current > known {
		return fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Vigil", ErrNewerSchema, current, known)
	}
	if current >= m.Version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())`,
		m.Version, m.Name); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	return nil
}

// schemaVersion returns the applied version, failing if it exceeds known.
func (db *DB) schemaVersion(ctx context.Context, known int) (int, error) {
	var v int
	if err := db.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: migrate: %w", err)
	}
	if v > known {
		return v, fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Vigil", ErrNewerSchema, v, known)
	}
	return v, nil
}
