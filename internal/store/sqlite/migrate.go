package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// ErrNewerSchema is returned by Open when the database has migrations this
// binary does not know: running an old binary against it could corrupt data.
var ErrNewerSchema = errors.New("sqlite: database schema is newer than this binary supports")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change, e.g. migrations/0002_x.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations and checks they are numbered
// 1, 2, 3... without gaps, so that a missing file is a build-time mistake
// caught by the first test rather than a silently skipped change.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names { // fs.Glob returns names sorted
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlite: migration %q: name must be NNNN_description.sql", base)
		}
		if v != len(ms)+1 {
			return nil, fmt.Errorf("sqlite: migration %q: expected version %d", base, len(ms)+1)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
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
func (db *DB) apply(ctx context.Context, m migration, known int) error {
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
	if current >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, unixepoch())`,
		m.version, m.name); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.name, err)
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
