// Package sqlite is Vigil's embedded store: sessions, users, the replay
// ledger, signing keys and the verifier's records in one SQLite file, through modernc.org/sqlite
// (pure Go, no cgo). It passes the backend-neutral conformance suite in
// store/storetest.
//
// Writes go through a single connection so that SQLite never has two writers
// racing for the lock inside one process; reads use a separate pool that WAL
// lets run beside the writer. The package never reads a clock for decisions:
// callers pass "now" where expiry matters, and GetSession returns expired
// records unchanged so that the caller, who owns the clock, decides. It never
// logs record contents.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeout is how long a connection waits for another process's lock
// before SQLITE_BUSY; within the process the single writer avoids waiting.
const busyTimeout = 5 * time.Second

// Options tune a DB. The zero value is valid.
type Options struct {
	// Observe, when set, is called once after every query with a stable
	// operation name (e.g. "session.get"), its duration and its error.
	// ErrNotFound and ErrConflict are passed through as they are returned, so
	// the observer can tell them from failures with errors.Is. It must be
	// fast and safe for concurrent use.
	Observe func(op string, d time.Duration, err error)
	// Now stamps one-time-code records with the time of their last write,
	// which PurgeOTP compares with its cutoff. It decides nothing else.
	// Defaults to time.Now.
	Now func() time.Time
}

// DB is a SQLite-backed store. It is safe for concurrent use.
type DB struct {
	w       *sql.DB // one connection: every write and every transaction
	r       *sql.DB // read-only pool; the same as w for in-memory databases
	observe func(op string, d time.Duration, err error)
	now     func() time.Time
}

// Open opens (creating if needed) the database at dsn, a file path or a
// "file:" URI, and applies any pending schema migrations. It fails with
// ErrNewerSchema when the database was written by a newer Vigil.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("sqlite: empty dsn")
	}
	params := "_pragma=busy_timeout(" + fmt.Sprint(busyTimeout.Milliseconds()) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	memory := isMemory(dsn)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	wparams := params
	if !memory {
		// WAL is a property of the file, set once by the writer; readers
		// then run beside it without blocking.
		wparams += "&_pragma=journal_mode(WAL)"
	}
	w, err := sql.Open("sqlite", dsn+sep+wparams)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0) // an in-memory database lives as long as its connection
	db := &DB{w: w, r: w, observe: opts.Observe, now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	if !memory {
		r, err := sql.Open("sqlite", dsn+sep+params+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open: %w", err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		db.r = r
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func isMemory(dsn string) bool {
	return dsn == ":memory:" || strings.HasPrefix(dsn, "file::memory:") || strings.Contains(dsn, "mode=memory")
}

// Close closes both connection pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	return err
}

// Ping checks that the database answers on both pools.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer db.done("ping", time.Now(), &err)
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
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

// ts encodes a time as microseconds since the epoch; the zero time is NULL.
// Microseconds keep the precision PostgreSQL also keeps, so every backend
// round-trips the same values.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromTS decodes ts; the result is always UTC.
func fromTS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

// rollback undoes tx unless it was committed; its error adds nothing.
func rollback(tx *sql.Tx) { _ = tx.Rollback() }
