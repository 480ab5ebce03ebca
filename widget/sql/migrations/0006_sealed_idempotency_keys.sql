-- The idempotency table kept whole answers (hold tokens, manage links) and the raw keys in
-- plaintext for 24 hours. Now it keeps a hash of the key (derived with its scope, so the
-- scope, which named the caller's address, goes too) and the answer sealed with AES-GCM
-- under a key derived from the raw Idempotency-Key that only the client holds.
-- The rows kept so far are exactly what must not be kept: they go. A client retrying across
-- the upgrade runs its request again (holds, checkout and confirm are safe to repeat).
DELETE FROM idempotency_key;
ALTER TABLE idempotency_key DROP CONSTRAINT idempotency_key_pkey;
ALTER TABLE idempotency_key DROP COLUMN scope, DROP COLUMN key, DROP COLUMN headers;
ALTER TABLE idempotency_key ADD COLUMN key_hash bytea PRIMARY KEY;
