// Package postgres is Vigil's store for many replicas: the same records and
// semantics as store/sqlite, kept in PostgreSQL through jackc/pgx and a
// connection pool, and checked by the same conformance suite
// (store/storetest). Each replica follows the change feed; a Waiter on a
// LISTEN connection wakes it as soon as another replica commits a change.
//
// Tables live in the first schema of the DSN's search_path, so several
// deployments (or tests) can share one database. Like the SQLite backend
// the package reads no clock for decisions, returns expired records as
// stored, and never logs record contents.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune a DB. The zero value is valid. Pool sizes and timeouts are
// set in the DSN (pool_max_conns, connect_timeout, ...), as pgxpool reads them.
type Options struct {
	// Observe, when set, is called once after every query with a stable
	// operation name (e.g. "session.get"), its duration and its error, the
	// same names as the SQLite backend. ErrNotFound and ErrConflict are
	// passed through as returned. It must be fast and safe for concurrent use.
	Observe func(op string, d time.Duration, err error)
	// Now stamps one-time-code records with the time of their last write,
	// and the changes that session deletions append. It decides nothing
	// else. Defaults to time.Now.
	Now func() time.Time
}

// DB is a PostgreSQL-backed store. It is safe for concurrent use.
type DB struct {
	pool    *pgxpool.Pool
	listen  *pgx.ConnConfig // the pool's settings, for Waiters' own connections
	schema  string          // where the tables are: Waiters hear only its changes
	observe func(op string, d time.Duration, err error)
	now     func() time.Time
}

// Open connects to the database named by dsn (a postgres:// URL or
// key=value pairs) and applies any pending schema migrations. It fails
// with ErrNewerSchema when the database was written by a newer Vigil.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("postgres: empty dsn")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included: say only what kind of mistake.
		return nil, errors.New("postgres: the dsn does not parse as a PostgreSQL connection string")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db := &DB{pool: pool, listen: cfg.ConnConfig.Copy(), observe: opts.Observe, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every pooled connection. Waiters have their own.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer db.done("ping", time.Now(), &err)
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// done reports one query to the observer. Use as
// defer db.done(op, time.Now(), &err) with a named error result.
func (db *DB) done(op string, start time.Time, err *error) {
	if db.observe != nil {
		db.observe(op, time.Since(start), *err)
	}
}

// maxTxAttempts bounds the retries of a transaction that PostgreSQL
// aborted to break a deadlock or a serialization conflict.
const maxTxAttempts = 4

// inTx runs fn in a transaction and commits. A deadlock or serialization
// failure runs fn again from the start (fn must have no effect outside the
// transaction); fn's own errors, store.ErrNotFound and store.ErrConflict
// included, are returned as they are.
func (db *DB) inTx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	return retry(ctx, func() error { return db.tryTx(ctx, what, fn) })
}

// retry runs fn again while PostgreSQL aborts it for a deadlock or a
// serialization failure, a few times at most.
func retry(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt == maxTxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

func (db *DB) tryTx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rollback(tx)
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return nil
}

// retryable reports a transaction PostgreSQL aborted only to let another
// one through: running it again is the documented answer.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// rollback undoes tx unless it was committed; its error adds nothing. It
// gets its own context so that a cancelled request still ends its transaction.
func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx)
}

// ts encodes a time for a timestamptz column; the zero time is NULL. pgx
// sends microseconds (truncating, as the SQLite backend's UnixMicro does).
func ts(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()}
}

// fromTS decodes ts; the result is always UTC.
func fromTS(v pgtype.Timestamptz) time.Time {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		return time.Time{}
	}
	return v.Time.UTC()
}

// storable reports whether PostgreSQL's text can hold every s: it refuses
// NUL and invalid UTF-8, which SQLite keeps. A lookup by a key that could
// never have been stored finds nothing, as it would in SQLite, instead of
// failing with an encoding error (keys often come from requests).
func storable(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] == 0 {
				return false
			}
		}
	}
	return true
}

// affected returns none (store.ErrNotFound, store.ErrConflict) when the
// statement changed no row.
func affected(tag pgconn.CommandTag, none error) error {
	if tag.RowsAffected() == 0 {
		return none
	}
	return nil
}

// nilIfEmpty stores an empty list or byte slice as NULL, so that it reads
// back as nil.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
