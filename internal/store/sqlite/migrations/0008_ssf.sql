-- Shared Signals transmitter: streams, their subjects, and SETs waiting
-- for push or poll delivery (see store.Stream).

CREATE TABLE ssf_streams (
	id         TEXT PRIMARY KEY,
	audience   TEXT NOT NULL,
	config     BLOB NOT NULL,
	status     TEXT NOT NULL,
	reason     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX ssf_streams_audience ON ssf_streams (audience);

CREATE TABLE ssf_subjects (
	stream_id TEXT NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
	key       TEXT NOT NULL,
	subject   BLOB NOT NULL,
	added_at  INTEGER NOT NULL,
	PRIMARY KEY (stream_id, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE ssf_events (
	stream_id    TEXT NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
	jti          TEXT NOT NULL,
	set_jwt      BLOB NOT NULL,
	created_at   INTEGER NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,
	last_error   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (stream_id, jti)
) STRICT, WITHOUT ROWID;

CREATE INDEX ssf_events_due ON ssf_events (stream_id, next_attempt);
