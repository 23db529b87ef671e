-- The change feed: every gateway process tails it to drop revoked sessions
-- and reload changed risk from its cache (see store.Change). seq is the
-- rowid alias, so it grows in commit order under SQLite's single writer.
-- AUTOINCREMENT: a seq is never reused after a purge.

CREATE TABLE changes (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	at   INTEGER NOT NULL
) STRICT;

CREATE INDEX changes_at ON changes (at);

-- App-wide revocations: a session created before "at" must sign in again
-- for the app. One row per app, the latest revocation.
CREATE TABLE app_revocations (
	app TEXT PRIMARY KEY,
	at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
