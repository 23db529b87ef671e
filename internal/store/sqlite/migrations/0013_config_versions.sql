-- The configuration replicas share (store.shared_config): one row per
-- version of the document, the latest store.ConfigHistory kept. Each
-- version is announced on the change feed (config-changed) in the
-- transaction that stores it.

CREATE TABLE config_versions (
	version    INTEGER PRIMARY KEY,
	document   TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	actor      TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
