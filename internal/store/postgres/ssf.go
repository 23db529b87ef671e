package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vigil-gw/vigil/internal/store"
)

// Shared Signals transmitter records: streams, their subjects and the SETs
// queued for delivery (see store.Stream). Writes to a stream's children
// check that the stream exists in the same statement or transaction, so
// every backend reports the same store.ErrNotFound.

const streamColumns = `id, audience, config, status, reason, created_at, updated_at`

// CreateStream stores s. It fails with store.ErrConflict if s.ID exists.
func (db *DB) CreateStream(ctx context.Context, s *store.Stream) (err error) {
	defer db.done("ssf_stream.create", time.Now(), &err)
	if err := s.Check(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO ssf_streams (`+streamColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.Audience, s.Config, s.Status, s.Reason, s.CreatedAt, s.UpdatedAt)
	if err != nil {
		return fmt.Errorf("postgres: create stream: %w", err)
	}
	return affected(tag, store.ErrConflict)
}

// GetStream returns the stream with id, or store.ErrNotFound.
func (db *DB) GetStream(ctx context.Context, id string) (_ *store.Stream, err error) {
	defer db.done("ssf_stream.get", time.Now(), &err)
	if !storable(id) {
		return nil, store.ErrNotFound
	}
	s, err := scanStream(db.pool.QueryRow(ctx, `SELECT `+streamColumns+` FROM ssf_streams WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get stream: %w", err)
	}
	return &s, nil
}

// ListStreams returns the streams of audience ("" for every audience),
// newest CreatedAt first, then by ID.
func (db *DB) ListStreams(ctx context.Context, audience string) (_ []store.Stream, err error) {
	defer db.done("ssf_stream.list", time.Now(), &err)
	if !storable(audience) {
		return nil, nil
	}
	q, args := `SELECT `+streamColumns+` FROM ssf_streams ORDER BY created_at DESC, id`, []any(nil)
	if audience != "" {
		q = `SELECT ` + streamColumns + ` FROM ssf_streams WHERE audience = $1 ORDER BY created_at DESC, id`
		args = []any{audience}
	}
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list streams: %w", err)
	}
	out, err := collect(rows, scanStream)
	if err != nil {
		return nil, fmt.Errorf("postgres: list streams: %w", err)
	}
	return out, nil
}

// UpdateStream replaces the stored stream's Config, Status, Reason and
// UpdatedAt; its Audience and CreatedAt never change. A missing stream
// fails with store.ErrNotFound.
func (db *DB) UpdateStream(ctx context.Context, s *store.Stream) (err error) {
	defer db.done("ssf_stream.update", time.Now(), &err)
	if err := s.Check(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if !storable(s.ID) {
		return store.ErrNotFound
	}
	tag, err := db.pool.Exec(ctx, `UPDATE ssf_streams SET config = $1, status = $2, reason = $3, updated_at = $4
		WHERE id = $5`, s.Config, s.Status, s.Reason, s.UpdatedAt, s.ID)
	if err != nil {
		return fmt.Errorf("postgres: update stream: %w", err)
	}
	return affected(tag, store.ErrNotFound)
}

// DeleteStream removes a stream with its subjects and queued events (the
// foreign keys cascade), or returns store.ErrNotFound.
func (db *DB) DeleteStream(ctx context.Context, id string) (err error) {
	defer db.done("ssf_stream.delete", time.Now(), &err)
	if !storable(id) {
		return store.ErrNotFound
	}
	err = retry(ctx, func() error {
		tag, err := db.pool.Exec(ctx, `DELETE FROM ssf_streams WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("postgres: delete stream: %w", err)
		}
		return affected(tag, store.ErrNotFound)
	})
	return err
}

// AddStreamSubject adds a subject to its stream. Adding a Key that is
// already there changes nothing (the first record stays). A missing stream
// fails with store.ErrNotFound.
func (db *DB) AddStreamSubject(ctx context.Context, sub *store.StreamSubject) (err error) {
	defer db.done("ssf_subject.add", time.Now(), &err)
	if sub.StreamID == "" || sub.Key == "" || len(sub.Subject) == 0 || sub.AddedAt.IsZero() {
		return errors.New("postgres: stream subject needs a stream, a key, the subject and a time")
	}
	// FOR KEY SHARE keeps the stream from being deleted before this commits,
	// as the foreign key would, but says "not found" rather than failing.
	var found bool
	err = db.pool.QueryRow(ctx, `WITH stream AS (SELECT id FROM ssf_streams WHERE id = $1 FOR KEY SHARE),
		added AS (INSERT INTO ssf_subjects (stream_id, key, subject, added_at)
			SELECT id, $2, $3, $4 FROM stream ON CONFLICT (stream_id, key) DO NOTHING)
		SELECT EXISTS (SELECT 1 FROM stream)`, sub.StreamID, sub.Key, sub.Subject, sub.AddedAt).Scan(&found)
	if err != nil {
		return fmt.Errorf("postgres: add stream subject: %w", err)
	}
	if !found {
		return fmt.Errorf("postgres: add stream subject: stream: %w", store.ErrNotFound)
	}
	return nil
}

// RemoveStreamSubject removes one subject, or returns store.ErrNotFound.
func (db *DB) RemoveStreamSubject(ctx context.Context, streamID, key string) (err error) {
	defer db.done("ssf_subject.remove", time.Now(), &err)
	if !storable(streamID, key) {
		return store.ErrNotFound
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM ssf_subjects WHERE stream_id = $1 AND key = $2`, streamID, key)
	if err != nil {
		return fmt.Errorf("postgres: remove stream subject: %w", err)
	}
	return affected(tag, store.ErrNotFound)
}

// StreamSubjects returns the subjects of a stream ordered by Key; nil for
// a stream with none or no such stream.
func (db *DB) StreamSubjects(ctx context.Context, streamID string) (_ []store.StreamSubject, err error) {
	defer db.done("ssf_subject.list", time.Now(), &err)
	if !storable(streamID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT stream_id, key, subject, added_at FROM ssf_subjects
		WHERE stream_id = $1 ORDER BY key`, streamID)
	if err != nil {
		return nil, fmt.Errorf("postgres: stream subjects: %w", err)
	}
	out, err := collect(rows, func(r pgx.Row) (store.StreamSubject, error) {
		var s store.StreamSubject
		err := r.Scan(&s.StreamID, &s.Key, &s.Subject, &s.AddedAt)
		s.AddedAt = s.AddedAt.UTC()
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: stream subjects: %w", err)
	}
	return out, nil
}

func scanStream(r pgx.Row) (store.Stream, error) {
	var s store.Stream
	err := r.Scan(&s.ID, &s.Audience, &s.Config, &s.Status, &s.Reason, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}
