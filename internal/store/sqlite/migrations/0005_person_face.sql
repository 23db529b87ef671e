-- The verified person's face descriptor, sealed by the verifier (AEAD under
-- its master secret): new verifications are compared with it to flag one
-- face behind several identities. NULL: none kept.

ALTER TABLE persons ADD COLUMN face BLOB;
