-- Vigil's PostgreSQL schema: the same records as the SQLite backend's
-- migrations 0001 to 0011, in PostgreSQL's own types. Tables live in the
-- first schema of the connection's search_path.
--
-- Times are timestamptz: microsecond precision, as SQLite's integers, and
-- readable and comparable in psql. NULL stands for Go's zero time.
-- Text that is a key, an order or a case-folded match is COLLATE "C": byte
-- order and ASCII-only lower(), as SQLite, whatever the database's locale,
-- so every backend lists and matches alike. For the same reason queries
-- sort NULL (the zero time) first, as SQLite does, and the indexes agree.
-- Opaque bytes owned by the callers (sealed keys, evidence, SETs, stream
-- configuration, one-time-code records) are bytea and come back verbatim.
-- Documents the store writes and reads whole (identity, verification, risk
-- evidence) are json, not jsonb: nothing queries inside them, and jsonb
-- refuses the \u0000 escape that encoding/json writes for a NUL in a claim.

CREATE TABLE users (
	id            text COLLATE "C" PRIMARY KEY,
	provider      text NOT NULL,
	subject       text NOT NULL,
	email         text COLLATE "C" NOT NULL,
	name          text NOT NULL,
	first_seen_at timestamptz,
	last_seen_at  timestamptz,
	verification  json -- identity.Verification; NULL: never verified, or cleared
);

-- Security events and operators name users by email (ASCII case folded).
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
	id           text COLLATE "C" PRIMARY KEY,
	user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider     text COLLATE "C" NOT NULL,
	identity     json NOT NULL, -- identity.Identity
	created_at   timestamptz,
	last_seen_at timestamptz,
	expires_at   timestamptz NOT NULL,
	ip           text NOT NULL,
	user_agent   text NOT NULL,
	id_token     text NOT NULL,
	sid          text COLLATE "C" NOT NULL DEFAULT '' -- the provider's session ID
);

CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_provider_sid ON sessions (provider, sid);

-- Replay ledger: one row per single-use key (e.g. a logout token's jti).
CREATE TABLE used_keys (
	key        text COLLATE "C" PRIMARY KEY,
	expires_at timestamptz NOT NULL
);

CREATE INDEX used_keys_expires_at ON used_keys (expires_at);

-- The gateway's assertion keys and, apart, the built-in OpenID Provider's:
-- each set is wrapped under its own key and neither signer may load the other's.
CREATE TABLE signing_keys (
	id          text COLLATE "C" PRIMARY KEY,
	algorithm   text NOT NULL,
	private_key bytea NOT NULL,
	public_key  bytea NOT NULL,
	created_at  timestamptz,
	retire_at   timestamptz,
	expires_at  timestamptz
);

CREATE TABLE op_keys (
	id          text COLLATE "C" PRIMARY KEY,
	algorithm   text NOT NULL,
	private_key bytea NOT NULL,
	public_key  bytea NOT NULL,
	created_at  timestamptz,
	retire_at   timestamptz,
	expires_at  timestamptz
);

CREATE TABLE verifications (
	id              text COLLATE "C" PRIMARY KEY,
	version         integer NOT NULL CHECK (version > 0),
	auth_request_id text COLLATE "C" NOT NULL,
	client_id       text NOT NULL,
	rung            text NOT NULL,
	status          text COLLATE "C" NOT NULL
		CHECK (status IN ('started', 'review', 'approved', 'rejected', 'expired')),
	claimed_email   text COLLATE "C" NOT NULL,
	claimed_name    text NOT NULL,
	steps           bytea,  -- NULL: empty
	reasons         text[], -- NULL: empty
	person_subject  text NOT NULL,
	reviewer        text NOT NULL,
	review_note     text NOT NULL,
	reviewed_at     timestamptz,
	created_at      timestamptz,
	updated_at      timestamptz,
	expires_at      timestamptz NOT NULL
);

CREATE INDEX verifications_status_created ON verifications (status, created_at NULLS FIRST, id);
CREATE INDEX verifications_created ON verifications (created_at NULLS FIRST, id);
CREATE INDEX verifications_auth_request ON verifications (auth_request_id, created_at NULLS FIRST, id);
CREATE INDEX verifications_claimed_email ON verifications (lower(claimed_email), status, created_at NULLS FIRST, id);
-- The expiry sweep looks only at open verifications.
CREATE INDEX verifications_open_expiry ON verifications (expires_at) WHERE status IN ('started', 'review');

CREATE TABLE persons (
	subject         text COLLATE "C" PRIMARY KEY,
	document_key    text COLLATE "C" NOT NULL UNIQUE,
	given_name      text NOT NULL,
	family_name     text NOT NULL,
	birth_date      text NOT NULL,
	nationalities   text[], -- NULL: empty
	acr             text NOT NULL,
	verified_claims bytea,
	face            bytea,  -- sealed face descriptor; NULL: none kept
	verified_at     timestamptz,
	created_at      timestamptz,
	updated_at      timestamptz
);

-- Sealed (encrypted) uploads kept for review until delete_after.
CREATE TABLE evidence (
	id              text COLLATE "C" PRIMARY KEY,
	verification_id text COLLATE "C" NOT NULL REFERENCES verifications (id) ON DELETE CASCADE,
	kind            text NOT NULL,
	content_type    text NOT NULL,
	sealed          bytea NOT NULL,
	size            bigint NOT NULL,
	sha256          text NOT NULL,
	created_at      timestamptz,
	delete_after    timestamptz NOT NULL
);

CREATE INDEX evidence_verification ON evidence (verification_id, created_at NULLS FIRST, id);
CREATE INDEX evidence_delete_after ON evidence (delete_after);

-- One-time-code state, read and written together by UpdateOTP. updated_at
-- is housekeeping for PurgeOTP only.
CREATE TABLE otp_records (
	key        text COLLATE "C" PRIMARY KEY,
	value      bytea NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE INDEX otp_records_updated_at ON otp_records (updated_at);

-- The change feed (see store.Change). Seq comes from change_seq, a one-row
-- counter that the trigger below updates: the row lock it takes is held to
-- the end of the transaction, so the next writer gets its number only after
-- this one committed (or rolled back, returning the number). Seqs are thus
-- handed out in commit order without gaps, which a sequence cannot promise,
-- and never reused after a purge. The same trigger notifies listeners; a
-- notification is delivered on commit only.
CREATE TABLE change_seq (
	one  boolean PRIMARY KEY DEFAULT true CHECK (one),
	last bigint NOT NULL CHECK (last >= 0)
);

INSERT INTO change_seq (last) VALUES (0);

CREATE TABLE changes (
	seq    bigint PRIMARY KEY,
	kind   text NOT NULL,
	key    text NOT NULL,
	at     timestamptz NOT NULL,
	reason text NOT NULL DEFAULT ''
);

CREATE INDEX changes_at ON changes (at);

-- Every row of changes, whoever inserts it, takes the next seq and wakes
-- the listeners of this schema (the payload is "<seq>:<schema>"). The
-- function keeps the search_path it was created with (the migration sets
-- it to this schema alone), so an operator's session with another
-- search_path still counts in this schema.
CREATE FUNCTION changes_assign_seq() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	UPDATE change_seq SET last = last + 1 RETURNING last INTO NEW.seq;
	PERFORM pg_notify('vigil_changes', NEW.seq || ':' || TG_TABLE_SCHEMA);
	RETURN NEW;
END
$$;

CREATE TRIGGER changes_assign_seq BEFORE INSERT ON changes
	FOR EACH ROW EXECUTE FUNCTION changes_assign_seq();

-- App-wide revocations: a session created before "at" must sign in again
-- for the app. One row per app, the latest revocation.
CREATE TABLE app_revocations (
	app text COLLATE "C" PRIMARY KEY,
	at  timestamptz NOT NULL
);

-- Risk factors (see store.RiskFactor). No foreign key to users: a security
-- event may name a user before their first sign-in here.
CREATE TABLE risk_factors (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL,
	kind       text COLLATE "C" NOT NULL,
	severity   integer NOT NULL CHECK (severity BETWEEN 1 AND 100),
	reason     text NOT NULL,
	evidence   json NOT NULL, -- object of strings
	source     text NOT NULL,
	at         timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	cleared_at timestamptz,
	cleared_by text NOT NULL DEFAULT ''
);

CREATE INDEX risk_factors_user ON risk_factors (user_id, at);
CREATE INDEX risk_factors_active ON risk_factors (expires_at) WHERE cleared_at IS NULL;

-- Shared Signals transmitter: streams, their subjects, and SETs waiting
-- for push or poll delivery (see store.Stream).
CREATE TABLE ssf_streams (
	id         text COLLATE "C" PRIMARY KEY,
	audience   text COLLATE "C" NOT NULL,
	config     bytea NOT NULL,
	status     text NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled')),
	reason     text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE INDEX ssf_streams_audience ON ssf_streams (audience);

CREATE TABLE ssf_subjects (
	stream_id text COLLATE "C" NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
	key       text COLLATE "C" NOT NULL,
	subject   bytea NOT NULL,
	added_at  timestamptz NOT NULL,
	PRIMARY KEY (stream_id, key)
);

CREATE TABLE ssf_events (
	stream_id    text COLLATE "C" NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
	jti          text COLLATE "C" NOT NULL,
	set_jwt      bytea NOT NULL,
	created_at   timestamptz NOT NULL,
	attempts     integer NOT NULL DEFAULT 0,
	next_attempt timestamptz NOT NULL,
	last_error   text NOT NULL DEFAULT '',
	PRIMARY KEY (stream_id, jti)
);

CREATE INDEX ssf_events_due ON ssf_events (stream_id, next_attempt);
