-- Leases (see store/lease.go): a role at most one replica plays at a time,
-- such as pushing Shared Signals SETs. until is when the holder's claim
-- ends unless renewed.
CREATE TABLE leases (
	name   text COLLATE "C" PRIMARY KEY,
	holder text COLLATE "C" NOT NULL,
	until  timestamptz NOT NULL
);
