-- Signing keys of the built-in OpenID Provider (internal/opkeys). They are
-- kept apart from the gateway's assertion keys (signing_keys): each set is
-- wrapped under its own derived key, and neither signer may ever load the
-- other's. Records are written once and never updated.

CREATE TABLE op_keys (
	id          TEXT PRIMARY KEY,
	algorithm   TEXT NOT NULL,
	private_key BLOB NOT NULL,
	public_key  BLOB NOT NULL,
	created_at  INTEGER,
	retire_at   INTEGER,
	expires_at  INTEGER
) STRICT;
