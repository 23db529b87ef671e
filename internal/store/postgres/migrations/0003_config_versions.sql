-- The configuration replicas share (store.shared_config): one row per
-- version of the document, the latest store.ConfigHistory kept, as in the
-- SQLite backend. Each version is announced on the change feed
-- (config-changed) in the transaction that stores it; writers lock the
-- table first, so versions follow commit order without gaps.

CREATE TABLE config_versions (
	version    bigint PRIMARY KEY CHECK (version > 0),
	document   text NOT NULL,
	sha256     text NOT NULL,
	actor      text NOT NULL,
	created_at timestamptz NOT NULL
);
