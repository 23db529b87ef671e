-- Records of the identity-verification provider (internal/verifier).
-- Lists of strings are JSON arrays in TEXT; opaque JSON owned by the
-- verifier (steps, verified claims, one-time-code records) is BLOB. NULL
-- stands for an empty list or empty bytes as well as the zero time.

CREATE TABLE verifications (
	id              TEXT PRIMARY KEY,
	version         INTEGER NOT NULL CHECK (version > 0),
	auth_request_id TEXT NOT NULL,
	client_id       TEXT NOT NULL,
	rung            TEXT NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('started', 'review', 'approved', 'rejected', 'expired')),
	claimed_email   TEXT NOT NULL,
	claimed_name    TEXT NOT NULL,
	steps           BLOB,
	reasons         TEXT, -- JSON array
	person_subject  TEXT NOT NULL,
	reviewer        TEXT NOT NULL,
	review_note     TEXT NOT NULL,
	reviewed_at     INTEGER,
	created_at      INTEGER,
	updated_at      INTEGER,
	expires_at      INTEGER NOT NULL
) STRICT;

-- The review queue and the expiry sweep select by status.
CREATE INDEX verifications_status_created ON verifications (status, created_at, id);
CREATE INDEX verifications_created ON verifications (created_at, id);
CREATE INDEX verifications_auth_request ON verifications (auth_request_id, created_at, id);
-- Email lookups fold ASCII case on both sides: lower(claimed_email) = lower(?).
CREATE INDEX verifications_claimed_email ON verifications (lower(claimed_email), status, created_at, id);

CREATE TABLE persons (
	subject         TEXT PRIMARY KEY,
	document_key    TEXT NOT NULL UNIQUE,
	given_name      TEXT NOT NULL,
	family_name     TEXT NOT NULL,
	birth_date      TEXT NOT NULL,
	nationalities   TEXT, -- JSON array
	acr             TEXT NOT NULL,
	verified_claims BLOB,
	verified_at     INTEGER,
	created_at      INTEGER,
	updated_at      INTEGER
) STRICT;

-- Sealed (encrypted) uploads kept for review until delete_after.
CREATE TABLE evidence (
	id              TEXT PRIMARY KEY,
	verification_id TEXT NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
	kind            TEXT NOT NULL,
	content_type    TEXT NOT NULL,
	sealed          BLOB NOT NULL,
	size            INTEGER NOT NULL,
	sha256          TEXT NOT NULL,
	created_at      INTEGER,
	delete_after    INTEGER NOT NULL
) STRICT;

CREATE INDEX evidence_verification ON evidence (verification_id, created_at, id);
CREATE INDEX evidence_delete_after ON evidence (delete_after);

-- One-time-code state: opaque JSON records read and written together by
-- UpdateOTP. updated_at is housekeeping for PurgeOTP only.
CREATE TABLE otp_records (
	key        TEXT PRIMARY KEY,
	value      BLOB NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX otp_records_updated_at ON otp_records (updated_at);
