package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// The SETs queued on Shared Signals streams for push or poll delivery.

// EnqueueEvent queues a signed SET on its stream and appends an
// ssf-queued change in the same transaction. It fails with
// store.ErrNotFound if the stream does not exist and with
// store.ErrConflict if the stream already holds e.JTI.
func (db *DB) EnqueueEvent(ctx context.Context, e *store.StreamEvent) (err error) {
	defer db.done("ssf_event.enqueue", time.Now(), &err)
	if e.StreamID == "" || e.JTI == "" || len(e.SET) == 0 || e.CreatedAt.IsZero() || e.NextAttempt.IsZero() {
		return errors.New("postgres: stream event needs a stream, a JTI, the SET, a creation and a due time")
	}
	return db.inTx(ctx, "enqueue event", func(tx pgx.Tx) error {
		var found, inserted bool
		err := tx.QueryRow(ctx, `WITH stream AS (SELECT id FROM ssf_streams WHERE id = $1 FOR KEY SHARE),
			queued AS (INSERT INTO ssf_events (stream_id, jti, set_jwt, created_at, attempts, next_attempt, last_error)
				SELECT id, $2, $3, $4, $5, $6, $7 FROM stream ON CONFLICT (stream_id, jti) DO NOTHING RETURNING 1)
			SELECT EXISTS (SELECT 1 FROM stream), EXISTS (SELECT 1 FROM queued)`,
			e.StreamID, e.JTI, e.SET, e.CreatedAt, e.Attempts, e.NextAttempt, e.LastError).Scan(&found, &inserted)
		switch {
		case err != nil:
			return fmt.Errorf("postgres: enqueue event: %w", err)
		case !found:
			return fmt.Errorf("postgres: enqueue event: stream: %w", store.ErrNotFound)
		case !inserted:
			return store.ErrConflict
		}
		// Last, as every change (see changes.go); it wakes the replica
		// that delivers, wherever the SET was queued.
		_, err = appendChange(ctx, tx, store.ChangeSSFQueued, e.StreamID, "", e.CreatedAt)
		return err
	})
}

// PendingEvents returns up to limit events of the stream that are due at
// now (NextAttempt not after now), oldest CreatedAt first, then by JTI.
// limit <= 0 means no limit.
func (db *DB) PendingEvents(ctx context.Context, streamID string, now time.Time, limit int) (_ []store.StreamEvent, err error) {
	defer db.done("ssf_event.pending", time.Now(), &err)
	if !storable(streamID) {
		return nil, nil
	}
	var lim *int // NULL: LIMIT NULL is no limit
	if limit > 0 {
		lim = &limit
	}
	rows, err := db.pool.Query(ctx, `SELECT stream_id, jti, set_jwt, created_at, attempts, next_attempt, last_error
		FROM ssf_events WHERE stream_id = $1 AND next_attempt <= $2 ORDER BY created_at, jti LIMIT $3`,
		streamID, now, lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending events: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.StreamEvent, error) {
		var e store.StreamEvent
		err := r.Scan(&e.StreamID, &e.JTI, &e.SET, &e.CreatedAt, &e.Attempts, &e.NextAttempt, &e.LastError)
		e.CreatedAt, e.NextAttempt = e.CreatedAt.UTC(), e.NextAttempt.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: pending events: %w", err)
	}
	return out, nil
}

// CountStreamEvents returns how many events the stream holds, due or not:
// the transmitter's bound on what a paused or unpolled stream keeps.
func (db *DB) CountStreamEvents(ctx context.Context, streamID string) (_ int, err error) {
	defer db.done("ssf_event.count", time.Now(), &err)
	if !storable(streamID) {
		return 0, nil
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM ssf_events WHERE stream_id = $1`, streamID).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count stream events: %w", err)
	}
	return n, nil
}

// AckEvents deletes the stream's events with the given JTIs (delivered,
// acknowledged or dropped) and returns how many it deleted. Unknown JTIs
// are ignored.
func (db *DB) AckEvents(ctx context.Context, streamID string, jtis []string) (_ int, err error) {
	defer db.done("ssf_event.ack", time.Now(), &err)
	if len(jtis) == 0 || !storable(streamID) {
		return 0, nil
	}
	// JTIs PostgreSQL cannot hold were never queued; sending them would
	// fail the whole acknowledgement.
	keep := make([]string, 0, len(jtis))
	for _, j := range jtis {
		if storable(j) {
			keep = append(keep, j)
		}
	}
	var n int64
	err = retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `DELETE FROM ssf_events WHERE stream_id = $1 AND jti = ANY($2)`, streamID, keep)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: ack events: %w", err)
	}
	return int(n), nil
}

// RetryEvent records a failed delivery: the attempt count, when to try
// next and why it failed. A missing event fails with store.ErrNotFound.
func (db *DB) RetryEvent(ctx context.Context, streamID, jti string, attempts int, next time.Time, lastError string) (err error) {
	defer db.done("ssf_event.retry", time.Now(), &err)
	if next.IsZero() {
		return errors.New("postgres: retry needs a due time")
	}
	if !storable(streamID, jti) {
		return store.ErrNotFound
	}
	tag, err := db.pool.Exec(ctx, `UPDATE ssf_events SET attempts = $1, next_attempt = $2, last_error = $3
		WHERE stream_id = $4 AND jti = $5`, attempts, next, lastError, streamID, jti)
	if err != nil {
		return fmt.Errorf("postgres: retry event: %w", err)
	}
	return affected(tag, store.ErrNotFound)
}
