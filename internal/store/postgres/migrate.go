package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// ErrNewerSchema is returned by Open when the database has migrations this
// binary does not know: running an old binary against it could corrupt data.
var ErrNewerSchema = errors.New("postgres: database schema is newer than this binary supports")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the first key of the advisory lock that serialises
// migrations; the second is a hash of the schema, so that replicas of one
// deployment wait for each other and other schemas do not.
const migrationLock = 0x56494731 // "VIG1"

// loadMigrations reads the embedded migrations (store.LoadMigrations).
func loadMigrations(fsys fs.FS) ([]store.Migration, error) {
	ms, err := store.LoadMigrations(fsys)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return ms, nil
}

// migrate applies pending migrations, each in its own transaction that
// first takes the schema's advisory lock: replicas starting at once apply
// each migration exactly once, the others waiting and then finding it
// done. It also learns which schema the tables are in.
func (db *DB) migrate(ctx context.Context) (err error) {
	defer db.done("migrate", time.Now(), &err)
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	var schema *string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if schema == nil {
		return errors.New("postgres: migrate: no schema of the search_path exists; create it first")
	}
	db.schema = *schema
	for _, m := range ms {
		if err := db.inTx(ctx, "migrate", func(tx pgx.Tx) error { return db.apply(ctx, tx, m, len(ms)) }); err != nil {
			return err
		}
	}
	// Also catches a newer schema when this binary had nothing to apply.
	_, err = db.schemaVersion(ctx, db.pool, len(ms))
	return err
}

// querier is a pool, a connection or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// apply runs one migration in tx unless the database already has it.
func (db *DB) apply(ctx context.Context, tx pgx.Tx, m store.Migration, known int) error {
	// The lock, and the search_path narrowed to the tables' schema so that
	// functions created with SET search_path FROM CURRENT keep only it.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema())),
		set_config('search_path', quote_ident(current_schema()), true)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	current, err := db.schemaVersion(ctx, tx, known)
	if err != nil {
		return err
	}
	if current >= m.Version {
		return nil
	}
	// The simple protocol: a migration is several statements.
	if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
		m.Version, m.Name); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
	}
	return nil
}

// schemaVersion returns the applied version, failing if it exceeds known.
func (db *DB) schemaVersion(ctx context.Context, q querier, known int) (int, error) {
	var v int
	if err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	if v > known {
		return v, fmt.Errorf("%w: database is at version %d, this binary knows up to %d; upgrade Vigil", ErrNewerSchema, v, known)
	}
	return v, nil
}
