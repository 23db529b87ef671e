package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// The change feed (see store.Change). seq is an AUTOINCREMENT rowid: SQLite
// has one writer at a time, so seqs are handed out in commit order, without
// gaps (a rolled-back insert rolls its number back too) and never reused
// after a purge. A follower that sees a gap can therefore conclude that a
// purge removed changes it had not read yet.

// AppendChange adds one change and returns its Seq.
func (db *DB) AppendChange(ctx context.Context, kind, key string, at time.Time) (_ int64, err error) {
	defer db.done("change.append", time.Now(), &err)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	defer rollback(tx)
	seq, err := appendChange(ctx, tx, kind, key, at)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	return seq, nil
}

// AppendChangeReason adds one change that carries a user-readable reason
// (at most 500 bytes) and returns its Seq.
func (db *DB) AppendChangeReason(ctx context.Context, kind, key, reason string, at time.Time) (_ int64, err error) {
	defer db.done("change.append", time.Now(), &err)
	if len(reason) > 500 {
		return 0, errors.New("sqlite: append change: reason longer than 500 bytes")
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	defer rollback(tx)
	seq, err := appendChange(ctx, tx, kind, key, at)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE changes SET reason = ? WHERE seq = ?`, reason, seq); err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	return seq, nil
}

// appendChange inserts a change inside tx, so that it commits (or not)
// with the write it announces.
func appendChange(ctx context.Context, tx *sql.Tx, kind, key string, at time.Time) (int64, error) {
	if kind == "" || key == "" {
		return 0, errors.New("sqlite: append change: empty kind or key")
	}
	if at.IsZero() {
		return 0, errors.New("sqlite: append change: zero time")
	}
	var seq int64
	err := tx.QueryRowContext(ctx, `INSERT INTO changes (kind, key, at) VALUES (?, ?, ?) RETURNING seq`,
		kind, key, at.UnixMicro()).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("sqlite: append change: %w", err)
	}
	return seq, nil
}

// Changes returns up to limit changes with Seq above afterSeq, in Seq order.
func (db *DB) Changes(ctx context.Context, afterSeq int64, limit int) (_ []store.Change, err error) {
	defer db.done("change.list", time.Now(), &err)
	if afterSeq < 0 || limit <= 0 {
		return nil, fmt.Errorf("sqlite: changes: afterSeq %d must not be negative and limit %d must be positive", afterSeq, limit)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT seq, kind, key, at, reason FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`,
		afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var (
			c  store.Change
			at sql.NullInt64
		)
		if err := rows.Scan(&c.Seq, &c.Kind, &c.Key, &at, &c.Reason); err != nil {
			return nil, fmt.Errorf("sqlite: changes: %w", err)
		}
		c.At = fromTS(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: changes: %w", err)
	}
	return out, nil
}

// LastChange returns the highest Seq ever handed out, 0 if none. It reads
// the AUTOINCREMENT counter rather than the table, so a purge that emptied
// the table does not move it back (a new follower then starts where the
// next change will land, and sees no false gap).
func (db *DB) LastChange(ctx context.Context) (_ int64, err error) {
	defer db.done("change.last", time.Now(), &err)
	var seq int64
	err = db.r.QueryRowContext(ctx, `SELECT max(
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0),
		coalesce((SELECT max(seq) FROM changes), 0))`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("sqlite: last change: %w", err)
	}
	return seq, nil
}

// PurgeChanges deletes changes made before the given time and returns how
// many. Seqs are not reused afterwards.
func (db *DB) PurgeChanges(ctx context.Context, before time.Time) (_ int, err error) {
	defer db.done("change.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge changes", `DELETE FROM changes WHERE at < ?`, before.UnixMicro())
}

// deleteAnnounced runs a session deletion and appends its change in one
// transaction, so that no replica can miss a deletion that committed. The
// change is appended even when nothing was deleted: the store's rows and
// the replicas' caches are not the same set. A replica may still hold a
// session whose row went another way (an earlier change purged from the
// feed before it read it, an operator's manual delete, a clock-skewed
// expiry purge), and a revocation must mean "out everywhere" whatever the
// store still had. It costs one row.
func (db *DB) deleteAnnounced(ctx context.Context, what, q, arg, kind string) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, q, arg)
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if _, err := appendChange(ctx, tx, kind, arg, db.now()); err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return int(n), nil
}

// DeleteProviderSessions removes every session signed in through provider
// (e.g. after the provider was compromised) and returns how many, appending
// a provider-revoked change.
func (db *DB) DeleteProviderSessions(ctx context.Context, provider string) (_ int, err error) {
	defer db.done("session.delete_provider", time.Now(), &err)
	if provider == "" {
		return 0, errors.New("sqlite: delete provider sessions: empty provider")
	}
	return db.deleteAnnounced(ctx, "delete provider sessions", `DELETE FROM sessions WHERE provider = ?`,
		provider, store.ChangeProviderRevoked)
}

// RevokeApp records that sessions created before at must sign in again for
// app, and appends an app-revoked change. An earlier time never replaces a
// later one, so replayed or reordered calls cannot shorten a revocation.
func (db *DB) RevokeApp(ctx context.Context, app string, at time.Time) (err error) {
	defer db.done("app.revoke", time.Now(), &err)
	if app == "" || at.IsZero() {
		return errors.New("sqlite: revoke app: empty app or zero time")
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: revoke app: %w", err)
	}
	defer rollback(tx)
	if _, err := tx.ExecContext(ctx, `INSERT INTO app_revocations (app, at) VALUES (?, ?)
		ON CONFLICT (app) DO UPDATE SET at = max(at, excluded.at)`, app, at.UnixMicro()); err != nil {
		return fmt.Errorf("sqlite: revoke app: %w", err)
	}
	if _, err := appendChange(ctx, tx, store.ChangeAppRevoked, app, at); err != nil {
		return fmt.Errorf("sqlite: revoke app: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: revoke app: %w", err)
	}
	return nil
}

// AppRevocations returns every app's latest revocation time (UTC), nil if
// none.
func (db *DB) AppRevocations(ctx context.Context) (_ map[string]time.Time, err error) {
	defer db.done("app.revocations", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT app, at FROM app_revocations`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: app revocations: %w", err)
	}
	defer rows.Close()
	var out map[string]time.Time
	for rows.Next() {
		var (
			app string
			at  sql.NullInt64
		)
		if err := rows.Scan(&app, &at); err != nil {
			return nil, fmt.Errorf("sqlite: app revocations: %w", err)
		}
		if out == nil {
			out = make(map[string]time.Time)
		}
		out[app] = fromTS(at)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: app revocations: %w", err)
	}
	return out, nil
}
