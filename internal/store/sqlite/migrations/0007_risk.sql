-- Risk factors (see store.RiskFactor). Not tied to users by a foreign key:
-- a security event may name a user before their first sign-in here.

CREATE TABLE risk_factors (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	severity   INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	evidence   TEXT NOT NULL, -- JSON object of strings
	source     TEXT NOT NULL,
	at         INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	cleared_at INTEGER,
	cleared_by TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX risk_factors_user ON risk_factors (user_id, at);
CREATE INDEX risk_factors_active ON risk_factors (expires_at) WHERE cleared_at IS NULL;
