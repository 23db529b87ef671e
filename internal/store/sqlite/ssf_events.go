package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// The SETs queued on Shared Signals streams for push or poll delivery.

// EnqueueEvent queues a signed SET on its stream and appends an
// ssf-queued change. It fails with store.ErrConflict if the stream already
// holds e.JTI and with store.ErrNotFound if the stream does not exist.
func (db *DB) EnqueueEvent(ctx context.Context, e *store.StreamEvent) (err error) {
	defer db.done("ssf_event.enqueue", time.Now(), &err)
	if e.StreamID == "" || e.JTI == "" || len(e.SET) == 0 || e.CreatedAt.IsZero() || e.NextAttempt.IsZero() {
		return errors.New("sqlite: stream event needs a stream, a JTI, the SET, a creation and a due time")
	}
	return db.inStream(ctx, e.StreamID, "enqueue event", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ssf_events
			(stream_id, jti, set_jwt, created_at, attempts, next_attempt, last_error)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream_id, jti) DO NOTHING`,
			e.StreamID, e.JTI, e.SET, ts(e.CreatedAt), e.Attempts, ts(e.NextAttempt), e.LastError)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrConflict
		}
		// Wakes the replica that delivers, wherever the SET was queued.
		_, err = appendChange(ctx, tx, store.ChangeSSFQueued, e.StreamID, e.CreatedAt)
		return err
	})
}

// PendingEvents returns up to limit events of the stream that are due at
// now (NextAttempt not after now), oldest CreatedAt first, then by JTI.
// limit <= 0 means no limit.
func (db *DB) PendingEvents(ctx context.Context, streamID string, now time.Time, limit int) (_ []store.StreamEvent, err error) {
	defer db.done("ssf_event.pending", time.Now(), &err)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.r.QueryContext(ctx, `SELECT stream_id, jti, set_jwt, created_at, attempts, next_attempt, last_error
		FROM ssf_events WHERE stream_id = ? AND next_attempt <= ? ORDER BY created_at, jti LIMIT ?`,
		streamID, now.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending events: %w", err)
	}
	defer rows.Close()
	var out []store.StreamEvent
	for rows.Next() {
		var (
			e             store.StreamEvent
			created, next sql.NullInt64
		)
		if err := rows.Scan(&e.StreamID, &e.JTI, &e.SET, &created, &e.Attempts, &next, &e.LastError); err != nil {
			return nil, fmt.Errorf("sqlite: pending events: %w", err)
		}
		e.CreatedAt, e.NextAttempt = fromTS(created), fromTS(next)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: pending events: %w", err)
	}
	return out, nil
}

// CountStreamEvents returns how many events the stream holds, due or not:
// the transmitter's bound on what a paused or unpolled stream keeps.
func (db *DB) CountStreamEvents(ctx context.Context, streamID string) (_ int, err error) {
	defer db.done("ssf_event.count", time.Now(), &err)
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM ssf_events WHERE stream_id = ?`, streamID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count stream events: %w", err)
	}
	return n, nil
}

// AckEvents deletes the stream's events with the given JTIs (delivered,
// acknowledged or dropped) and returns how many it deleted. Unknown JTIs
// are ignored.
func (db *DB) AckEvents(ctx context.Context, streamID string, jtis []string) (_ int, err error) {
	defer db.done("ssf_event.ack", time.Now(), &err)
	if len(jtis) == 0 {
		return 0, nil
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: ack events: %w", err)
	}
	defer rollback(tx)
	total := 0
	for len(jtis) > 0 {
		chunk := jtis[:min(len(jtis), ackChunk)]
		jtis = jtis[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, streamID)
		for _, j := range chunk {
			args = append(args, j)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM ssf_events WHERE stream_id = ? AND jti IN (`+
			placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return 0, fmt.Errorf("sqlite: ack events: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("sqlite: ack events: %w", err)
		}
		total += int(n)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: ack events: %w", err)
	}
	return total, nil
}

// RetryEvent records a failed delivery: the attempt count, when to try
// next and why it failed. A missing event fails with store.ErrNotFound.
func (db *DB) RetryEvent(ctx context.Context, streamID, jti string, attempts int, next time.Time, lastError string) (err error) {
	defer db.done("ssf_event.retry", time.Now(), &err)
	if next.IsZero() {
		return errors.New("sqlite: retry needs a due time")
	}
	res, err := db.w.ExecContext(ctx, `UPDATE ssf_events SET attempts = ?, next_attempt = ?, last_error = ?
		WHERE stream_id = ? AND jti = ?`, attempts, ts(next), lastError, streamID, jti)
	if err != nil {
		return fmt.Errorf("sqlite: retry event: %w", err)
	}
	return oneRow(res, "retry event")
}
