-- Leases (see store/lease.go): a role at most one process plays at a time,
-- such as the replica that pushes Shared Signals SETs. until is when the
-- holder's claim ends unless renewed.

CREATE TABLE leases (
	name   TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
