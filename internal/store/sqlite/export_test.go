package sqlite

import "context"

// MarkSchemaVersionForTest records a migration this binary does not have,
// as a newer Vigil would.
func MarkSchemaVersionForTest(ctx context.Context, db *DB, version int) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 0)`, version)
	return err
}

// JournalModeForTest reports the database's journal mode.
func JournalModeForTest(ctx context.Context, db *DB) (string, error) {
	var mode string
	err := db.r.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	return mode, err
}
