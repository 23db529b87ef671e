-- The identity provider's session ID (the ID token's sid claim), so that a
-- back-channel logout naming only the sid ends the right session. '' when
-- the provider sent none.

ALTER TABLE sessions ADD COLUMN sid TEXT NOT NULL DEFAULT '';

CREATE INDEX sessions_provider_sid ON sessions (provider, sid) WHERE sid <> '';
