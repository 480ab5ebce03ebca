-- name: lock_reservation
SELECT id, property_id, unit_id, status::text AS status, version, reference, payment_ref,
       hold_expires_at, stay
FROM reservation WHERE id = %(id)s FOR UPDATE

-- name: confirm_reservation
-- Fenced by id and version: a stale caller changes nothing.
UPDATE reservation
SET status = 'confirmed', version = version + 1, reference = %(reference)s,
    payment_ref = %(payment_ref)s, hold_expires_at = NULL, updated_at = now()
WHERE id = %(id)s AND version = %(version)s AND status IN ('held', 'expired')
RETURNING version, reference

-- name: hold_by_id
SELECT r.id, r.property_id, p.slug AS property_slug, p.currency, p.time_zone, r.unit_id,
       rt.slug AS room_type, lower(r.stay) AS check_in, upper(r.stay) AS check_out,
       r.status::text AS status, r.version, r.hold_token_hash, r.hold_expires_at,
       r.hold_expires_at <= innkeep_now() AS lapsed, r.adults, r.children, r.quote,
       r.quote_hash, r.promo_code, r.guest, r.reference, r.payment_provider, r.payment_ref,
       r.payment_status, r.client_key
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s AND r.status <> 'blocked'
