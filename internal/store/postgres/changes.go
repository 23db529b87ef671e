package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// The change feed (see store.Change). A trigger on the changes table
// assigns Seq from a one-row counter and notifies listeners (see
// migrations/0001_init.sql). The counter's row lock is held from the
// insert to the end of the transaction, so change-appending transactions
// take their numbers in commit order, a rolled-back one gives its number
// back, and a reader never sees a later Seq before an earlier one: a gap
// really means a purge. A sequence could do neither. The price is that such
// transactions queue for the counter between their last statement and their
// commit, which is why every method appends its change last.

// maxReason bounds a change's reason, as in the SQLite backend.
const maxReason = 500

// AppendChange adds one change and returns its Seq.
func (db *DB) AppendChange(ctx context.Context, kind, key string, at time.Time) (_ int64, err error) {
	defer db.done("change.append", time.Now(), &err)
	return appendChange(ctx, db.pool, kind, key, "", at)
}

// AppendChangeReason adds one change that carries a user-readable reason
// (at most 500 bytes) and returns its Seq.
func (db *DB) AppendChangeReason(ctx context.Context, kind, key, reason string, at time.Time) (_ int64, err error) {
	defer db.done("change.append", time.Now(), &err)
	if len(reason) > maxReason {
		return 0, errors.New("postgres: append change: reason longer than 500 bytes")
	}
	return appendChange(ctx, db.pool, kind, key, reason, at)
}

// appendChange inserts a change through q: alone (its own transaction) or
// inside the transaction of the write it announces, so that both commit or
// neither does.
func appendChange(ctx context.Context, q querier, kind, key, reason string, at time.Time) (int64, error) {
	if kind == "" || key == "" {
		return 0, errors.New("postgres: append change: empty kind or key")
	}
	if at.IsZero() {
		return 0, errors.New("postgres: append change: zero time")
	}
	var seq int64
	err := q.QueryRow(ctx, `INSERT INTO changes (kind, key, at, reason) VALUES ($1, $2, $3, $4) RETURNING seq`,
		kind, key, at, reason).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("postgres: append change: %w", err)
	}
	return seq, nil
}

// Changes returns up to limit changes with Seq above afterSeq, in Seq order.
func (db *DB) Changes(ctx context.Context, afterSeq int64, limit int) (_ []store.Change, err error) {
	defer db.done("change.list", time.Now(), &err)
	if afterSeq < 0 || limit <= 0 {
		return nil, fmt.Errorf("postgres: changes: afterSeq %d must not be negative and limit %d must be positive", afterSeq, limit)
	}
	rows, err := db.pool.Query(ctx, `SELECT seq, kind, key, at, reason FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
		afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: changes: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.Change, error) {
		var c store.Change
		err := r.Scan(&c.Seq, &c.Kind, &c.Key, &c.At, &c.Reason)
		c.At = c.At.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: changes: %w", err)
	}
	return out, nil
}

// LastChange returns the highest Seq ever handed out, 0 if none. It reads
// the counter, not the table, so a purge that emptied the table does not
// move it back; and the counter commits with the change it numbered, so
// every Seq up to the answer is already readable.
func (db *DB) LastChange(ctx context.Context) (_ int64, err error) {
	defer db.done("change.last", time.Now(), &err)
	var seq int64
	if err := db.pool.QueryRow(ctx, `SELECT last FROM change_seq`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: last change: %w", err)
	}
	return seq, nil
}

// PurgeChanges deletes changes made before the given time and returns how
// many. Seqs are not reused afterwards.
func (db *DB) PurgeChanges(ctx context.Context, before time.Time) (_ int, err error) {
	defer db.done("change.purge", time.Now(), &err)
	return db.deleteCount(ctx, "purge changes", `DELETE FROM changes WHERE at < $1`, before)
}

// deleteAnnounced runs a session deletion and appends its change in one
// transaction, so that no replica can miss a deletion that committed. The
// change is appended even when nothing was deleted: a replica may still
// cache a session whose row went another way (a purge, an operator's
// delete), and a revocation must mean "out everywhere".
func (db *DB) deleteAnnounced(ctx context.Context, what, q, arg, kind string) (int, error) {
	var n int64
	err := db.inTx(ctx, what, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, arg)
		if err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		n = tag.RowsAffected()
		if _, err := appendChange(ctx, tx, kind, arg, "", db.now()); err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		return nil
	})
	return int(n), err
}

// DeleteProviderSessions removes every session signed in through provider
// (e.g. after the provider was compromised) and returns how many, appending
// a provider-revoked change.
func (db *DB) DeleteProviderSessions(ctx context.Context, provider string) (_ int, err error) {
	defer db.done("session.delete_provider", time.Now(), &err)
	if provider == "" {
		return 0, errors.New("postgres: delete provider sessions: empty provider")
	}
	return db.deleteAnnounced(ctx, "delete provider sessions", `DELETE FROM sessions WHERE provider = $1`,
		provider, store.ChangeProviderRevoked)
}

// RevokeApp records that sessions created before at must sign in again for
// app, and appends an app-revoked change. An earlier time never replaces a
// later one, so replayed or reordered calls cannot shorten a revocation.
func (db *DB) RevokeApp(ctx context.Context, app string, at time.Time) (err error) {
	defer db.done("app.revoke", time.Now(), &err)
	if app == "" || at.IsZero() {
		return errors.New("postgres: revoke app: empty app or zero time")
	}
	return db.inTx(ctx, "revoke app", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO app_revocations (app, at) VALUES ($1, $2)
			ON CONFLICT (app) DO UPDATE SET at = greatest(app_revocations.at, excluded.at)`, app, at); err != nil {
			return fmt.Errorf("postgres: revoke app: %w", err)
		}
		if _, err := appendChange(ctx, tx, store.ChangeAppRevoked, app, "", at); err != nil {
			return fmt.Errorf("postgres: revoke app: %w", err)
		}
		return nil
	})
}

// AppRevocations returns every app's latest revocation time (UTC), nil if
// none.
func (db *DB) AppRevocations(ctx context.Context) (_ map[string]time.Time, err error) {
	defer db.done("app.revocations", time.Now(), &err)
	rows, err := db.pool.Query(ctx, `SELECT app, at FROM app_revocations`)
	if err != nil {
		return nil, fmt.Errorf("postgres: app revocations: %w", err)
	}
	var (
		out map[string]time.Time
		app string
		at  time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&app, &at}, func() error {
		if out == nil {
			out = make(map[string]time.Time)
		}
		out[app] = at.UTC()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: app revocations: %w", err)
	}
	return out, nil
}

// deleteCount runs one DELETE and returns how many rows it removed.
func (db *DB) deleteCount(ctx context.Context, what, q string, args ...any) (int, error) {
	tag, err := db.pool.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return int(tag.RowsAffected()), nil
}

// collect reads every row with scan; no rows is nil, not an empty slice.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
