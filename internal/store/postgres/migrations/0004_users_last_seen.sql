-- Operators list users most recently seen first, the zero time (NULL) last
-- as in SQLite (store.UserQuery): the index serves that order and the
-- limit without sorting the table.
CREATE INDEX users_last_seen ON users (last_seen_at DESC NULLS LAST, id);
