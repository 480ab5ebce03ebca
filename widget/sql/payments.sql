-- name: claim_idempotency_key
-- Take a key for this request: a new one, one past its 24 hours, or one whose first request
-- died in flight (same body only). No row back means someone else holds the key.
INSERT INTO idempotency_key (scope, key, request_hash, created_at)
VALUES (%(scope)s, %(key)s, %(request_hash)s, innkeep_now())
ON CONFLICT (scope, key) DO UPDATE
SET request_hash = EXCLUDED.request_hash, status_code = NULL, response = NULL,
    headers = NULL, created_at = EXCLUDED.created_at
WHERE idempotency_key.created_at < innkeep_now() - make_interval(hours => %(keep_hours)s)
   OR (idempotency_key.status_code IS NULL
       AND idempotency_key.request_hash = EXCLUDED.request_hash
       AND idempotency_key.created_at
           < innkeep_now() - make_interval(secs => %(abandoned_after)s))
RETURNING key

-- name: idempotency_key
SELECT request_hash, status_code, response, headers FROM idempotency_key
WHERE scope = %(scope)s AND key = %(key)s
  AND created_at >= innkeep_now() - make_interval(hours => %(keep_hours)s)

-- name: settle_idempotency_key
UPDATE idempotency_key
SET status_code = %(status_code)s, response = %(response)s, headers = %(headers)s::jsonb
WHERE scope = %(scope)s AND key = %(key)s AND request_hash = %(request_hash)s
  AND status_code IS NULL

-- name: release_idempotency_key
DELETE FROM idempotency_key
WHERE scope = %(scope)s AND key = %(key)s AND request_hash = %(request_hash)s
  AND status_code IS NULL

-- name: forget_idempotency_keys
DELETE FROM idempotency_key
WHERE created_at < innkeep_now() - make_interval(hours => %(keep_hours)s)
