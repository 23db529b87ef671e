package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// channel is what the changes trigger notifies on, with the payload
// "<seq>:<schema>" (see migrations/0001_init.sql).
const channel = "vigil_changes"

// Waiter timings. A lost connection is retried at once, then backing off
// up to maxReconnectBackoff. A connection idle for pingAfter is pinged
// before the next wait: a peer that vanished without closing the socket
// would otherwise leave the Waiter listening to nothing for ever (the
// Follower still polls the feed on its interval meanwhile).
const (
	minReconnectBackoff = 100 * time.Millisecond
	maxReconnectBackoff = 5 * time.Second
	pingAfter           = 30 * time.Second
)

var errWaiterClosed = errors.New("postgres: waiter closed")

// Waiter wakes a change follower (it is a changes.Waker) when another
// connection, of this process or any replica, commits a change to the
// feed. It LISTENs on a connection of its own, outside the pool. A
// notification is only a hint: after a lost connection Wait returns an
// error, the follower re-reads the feed from its last Seq, and the next
// Wait reconnects and returns at once, since what was notified meanwhile
// is lost. Use one Waiter per follower.
type Waiter struct {
	cfg    *pgx.ConnConfig
	schema string
	life   context.Context // cancelled by Close, to end a running Wait
	stop   context.CancelFunc
	pid    atomic.Uint32 // the listening backend's process ID, 0 when none

	mu      sync.Mutex // one Wait at a time; guards the fields below
	conn    *pgx.Conn  // nil after a failure, until the next Wait reconnects
	closed  bool
	backoff time.Duration
	retryAt time.Time
	lastOK  time.Time // when the connection last answered
}

// NewWaiter connects a Waiter to db's database and starts listening. The
// Waiter hears only changes to db's schema.
func (db *DB) NewWaiter(ctx context.Context) (*Waiter, error) {
	cfg := db.listen.Copy()
	// On a cancelled wait, a deadline on the socket ends the read and keeps
	// the connection; pgx's cancel-request handler would open a second
	// connection to the server on every idle interval.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	w := &Waiter{cfg: cfg, schema: db.schema}
	w.life, w.stop = context.WithCancel(context.Background())
	if err := w.connect(ctx); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

// connect opens the listening connection. The caller holds w.mu (or owns
// w exclusively).
func (w *Waiter) connect(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, w.cfg)
	if err != nil {
		return fmt.Errorf("postgres: waiter: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		closeConn(conn)
		return fmt.Errorf("postgres: waiter: listen: %w", err)
	}
	w.conn, w.lastOK = conn, time.Now()
	w.pid.Store(conn.PgConn().PID())
	return nil
}

// drop discards a connection that failed; the next Wait takes a new one.
func (w *Waiter) drop() {
	if w.conn != nil {
		closeConn(w.conn)
	}
	w.conn = nil
	w.pid.Store(0)
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.Close(ctx)
}

// Wait returns nil when a change to the schema committed since the
// previous Wait returned (at once if one already has), or right after a
// reconnection, when it cannot know. It returns ctx's error when ctx ends
// first, and another error when the connection is lost or cannot be made
// again: the caller should then read the feed anyway.
func (w *Waiter) Wait(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(w.life, cancel)()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errWaiterClosed
	}
	if w.conn == nil {
		return w.reconnect(ctx)
	}
	if time.Since(w.lastOK) > pingAfter {
		if err := w.conn.Ping(ctx); err != nil {
			return w.failed(ctx, err)
		}
		w.lastOK = time.Now()
	}
	for {
		n, err := w.conn.WaitForNotification(ctx)
		if err != nil {
			return w.failed(ctx, err)
		}
		w.lastOK = time.Now()
		if _, schema, ok := parseNotification(n.Payload); ok && n.Channel == channel && schema == w.schema {
			return nil
		}
	}
}

// reconnect is Wait without a connection: one attempt, after the backoff.
func (w *Waiter) reconnect(ctx context.Context) error {
	if d := time.Until(w.retryAt); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return w.ctxErr(ctx)
		case <-t.C:
		}
	}
	if err := w.connect(ctx); err != nil {
		w.backoff = min(max(2*w.backoff, minReconnectBackoff), maxReconnectBackoff)
		w.retryAt = time.Now().Add(w.backoff)
		if ctx.Err() != nil {
			return w.ctxErr(ctx)
		}
		return err
	}
	w.backoff, w.retryAt = 0, time.Time{}
	return nil // notifications sent while disconnected are lost: the feed may have grown
}

// failed handles an error of the listening connection: ctx's end leaves a
// healthy connection in place; anything else drops it.
func (w *Waiter) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil && !w.conn.IsClosed() {
		return w.ctxErr(ctx)
	}
	w.drop()
	if ctx.Err() != nil {
		return w.ctxErr(ctx)
	}
	return fmt.Errorf("postgres: waiter: connection lost: %w", err)
}

// ctxErr is the error of a Wait whose context ended: the caller's, or
// errWaiterClosed when Close ended it.
func (w *Waiter) ctxErr(ctx context.Context) error {
	if w.life.Err() != nil {
		return errWaiterClosed
	}
	return ctx.Err()
}

// Close ends a running Wait and closes the connection. Later Waits fail.
func (w *Waiter) Close() error {
	w.stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.drop()
	return nil
}

// parseNotification splits a payload "<seq>:<schema>". Anything else,
// which another client may send on the channel, is not a change of ours.
func parseNotification(payload string) (seq int64, schema string, ok bool) {
	num, schema, found := strings.Cut(payload, ":")
	// Only the trigger's form: digits without sign or leading zero.
	if !found || schema == "" || num == "" || num[0] < '1' || num[0] > '9' {
		return 0, "", false
	}
	seq, err := strconv.ParseInt(num, 10, 64)
	if err != nil || seq <= 0 {
		return 0, "", false
	}
	return seq, schema, true
}
