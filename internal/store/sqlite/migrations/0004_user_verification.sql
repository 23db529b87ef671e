-- The user's latest identity verification (JSON of identity.Verification),
-- so that a new session starts verified. NULL: never verified, or cleared.

ALTER TABLE users ADD COLUMN verification TEXT;
