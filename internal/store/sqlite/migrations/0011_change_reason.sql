-- Why a change was made, in words a user may read ("laptop reported
-- stolen"): a replica that ends a session on a revoke-note change can tell
-- the user why on their next request. '' when there is nothing to say.

ALTER TABLE changes ADD COLUMN reason TEXT NOT NULL DEFAULT '';
