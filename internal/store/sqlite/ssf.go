package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-gw/vigil/internal/store"
)

// Shared Signals transmitter records: streams, their subjects and the SETs
// queued for delivery (see store.Stream). Existence of the stream is checked
// inside each write transaction, not read from the foreign key error, so
// every backend reports the same store.ErrNotFound.

const streamColumns = `id, audience, config, status, reason, created_at, updated_at`

// ackChunk bounds the number of parameters in one DELETE ... IN (...).
const ackChunk = 200

// CreateStream stores s. It fails with store.ErrConflict if s.ID exists.
func (db *DB) CreateStream(ctx context.Context, s *store.Stream) (err error) {
	defer db.done("ssf_stream.create", time.Now(), &err)
	if err := s.Check(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO ssf_streams (`+streamColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.Audience, s.Config, s.Status, s.Reason, ts(s.CreatedAt), ts(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: create stream: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: create stream: %w", err)
	} else if n == 0 {
		return store.ErrConflict
	}
	return nil
}

// GetStream returns the stream with id, or store.ErrNotFound.
func (db *DB) GetStream(ctx context.Context, id string) (_ *store.Stream, err error) {
	defer db.done("ssf_stream.get", time.Now(), &err)
	s, err := scanStream(db.r.QueryRowContext(ctx, `SELECT `+streamColumns+` FROM ssf_streams WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get stream: %w", err)
	}
	return s, nil
}

// ListStreams returns the streams of audience ("" for every audience),
// newest CreatedAt first, then by ID.
func (db *DB) ListStreams(ctx context.Context, audience string) (_ []store.Stream, err error) {
	defer db.done("ssf_stream.list", time.Now(), &err)
	q, args := `SELECT `+streamColumns+` FROM ssf_streams ORDER BY created_at DESC, id`, []any(nil)
	if audience != "" {
		q = `SELECT ` + streamColumns + ` FROM ssf_streams WHERE audience = ? ORDER BY created_at DESC, id`
		args = []any{audience}
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list streams: %w", err)
	}
	defer rows.Close()
	var out []store.Stream
	for rows.Next() {
		s, err := scanStream(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list streams: %w", err)
		}
		out = append(out, *s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list streams: %w", err)
	}
	return out, nil
}

// UpdateStream replaces the stored stream's Config, Status, Reason and
// UpdatedAt; its Audience and CreatedAt never change. A missing stream
// fails with store.ErrNotFound.
func (db *DB) UpdateStream(ctx context.Context, s *store.Stream) (err error) {
	defer db.done("ssf_stream.update", time.Now(), &err)
	if err := s.Check(); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE ssf_streams SET config = ?, status = ?, reason = ?, updated_at = ?
		WHERE id = ?`, s.Config, s.Status, s.Reason, ts(s.UpdatedAt), s.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update stream: %w", err)
	}
	return oneRow(res, "update stream")
}

// DeleteStream removes a stream with its subjects and queued events, or
// returns store.ErrNotFound.
func (db *DB) DeleteStream(ctx context.Context, id string) (err error) {
	defer db.done("ssf_stream.delete", time.Now(), &err)
	// The schema cascades, but foreign keys are a connection setting:
	// deleting the children explicitly does not depend on it.
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: delete stream: %w", err)
	}
	defer rollback(tx)
	for _, q := range []string{`DELETE FROM ssf_events WHERE stream_id = ?`, `DELETE FROM ssf_subjects WHERE stream_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("sqlite: delete stream: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM ssf_streams WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete stream: %w", err)
	}
	if err := oneRow(res, "delete stream"); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: delete stream: %w", err)
	}
	return nil
}

// AddStreamSubject adds a subject to its stream. Adding a Key that is
// already there changes nothing (the first record stays). A missing stream
// fails with store.ErrNotFound.
func (db *DB) AddStreamSubject(ctx context.Context, sub *store.StreamSubject) (err error) {
	defer db.done("ssf_subject.add", time.Now(), &err)
	if sub.StreamID == "" || sub.Key == "" || len(sub.Subject) == 0 || sub.AddedAt.IsZero() {
		return errors.New("sqlite: stream subject needs a stream, a key, the subject and a time")
	}
	return db.inStream(ctx, sub.StreamID, "add stream subject", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ssf_subjects (stream_id, key, subject, added_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (stream_id, key) DO NOTHING`,
			sub.StreamID, sub.Key, sub.Subject, ts(sub.AddedAt))
		return err
	})
}

// RemoveStreamSubject removes one subject, or returns store.ErrNotFound.
func (db *DB) RemoveStreamSubject(ctx context.Context, streamID, key string) (err error) {
	defer db.done("ssf_subject.remove", time.Now(), &err)
	res, err := db.w.ExecContext(ctx, `DELETE FROM ssf_subjects WHERE stream_id = ? AND key = ?`, streamID, key)
	if err != nil {
		return fmt.Errorf("sqlite: remove stream subject: %w", err)
	}
	return oneRow(res, "remove stream subject")
}

// StreamSubjects returns the subjects of a stream ordered by Key; nil for
// a stream with none or no such stream.
func (db *DB) StreamSubjects(ctx context.Context, streamID string) (_ []store.StreamSubject, err error) {
	defer db.done("ssf_subject.list", time.Now(), &err)
	rows, err := db.r.QueryContext(ctx, `SELECT stream_id, key, subject, added_at FROM ssf_subjects
		WHERE stream_id = ? ORDER BY key`, streamID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stream subjects: %w", err)
	}
	defer rows.Close()
	var out []store.StreamSubject
	for rows.Next() {
		var (
			s     store.StreamSubject
			added sql.NullInt64
		)
		if err := rows.Scan(&s.StreamID, &s.Key, &s.Subject, &added); err != nil {
			return nil, fmt.Errorf("sqlite: stream subjects: %w", err)
		}
		s.AddedAt = fromTS(added)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: stream subjects: %w", err)
	}
	return out, nil
}

// inStream runs fn in a write transaction after checking that the stream
// exists (store.ErrNotFound otherwise).
func (db *DB) inStream(ctx context.Context, streamID, what string, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rollback(tx)
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM ssf_streams WHERE id = ?`, streamID).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlite: %s: stream: %w", what, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if err := fn(tx); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return err
		}
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return nil
}

// oneRow turns "no row affected" into store.ErrNotFound.
func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanStream(sc scanner) (*store.Stream, error) {
	var (
		s                store.Stream
		created, updated sql.NullInt64
	)
	if err := sc.Scan(&s.ID, &s.Audience, &s.Config, &s.Status, &s.Reason, &created, &updated); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = fromTS(created), fromTS(updated)
	return &s, nil
}

// placeholders returns "?, ?, ..." for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
