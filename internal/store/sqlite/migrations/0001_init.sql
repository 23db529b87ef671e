-- Times are INTEGER microseconds since the Unix epoch (UTC); NULL means the
-- zero time. STRICT tables make SQLite reject values of the wrong type.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	provider      TEXT NOT NULL,
	subject       TEXT NOT NULL,
	email         TEXT NOT NULL,
	name          TEXT NOT NULL,
	first_seen_at INTEGER,
	last_seen_at  INTEGER
) STRICT;

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider     TEXT NOT NULL,
	identity     TEXT NOT NULL, -- JSON of identity.Identity
	created_at   INTEGER,
	last_seen_at INTEGER,
	expires_at   INTEGER NOT NULL,
	ip           TEXT NOT NULL,
	user_agent   TEXT NOT NULL,
	id_token     TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Replay ledger: one row per single-use key (e.g. a logout token's jti).
CREATE TABLE used_keys (
	key        TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX used_keys_expires_at ON used_keys (expires_at);

CREATE TABLE signing_keys (
	id          TEXT PRIMARY KEY,
	algorithm   TEXT NOT NULL,
	private_key BLOB NOT NULL,
	public_key  BLOB NOT NULL,
	created_at  INTEGER,
	retire_at   INTEGER,
	expires_at  INTEGER
) STRICT;
