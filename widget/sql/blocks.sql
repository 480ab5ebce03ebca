-- name: unit_of_property
SELECT u.id, u.property_id, u.name
FROM unit u JOIN property p ON p.id = u.property_id
WHERE p.slug = %(slug)s AND u.name = %(unit)s AND u.active

-- name: units_of_property
SELECT u.name FROM unit u
JOIN property p ON p.id = u.property_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE p.slug = %(slug)s AND u.active ORDER BY rt.position, u.position

-- name: expire_lapsed_holds
UPDATE reservation
SET status = 'expired', version = version + 1, updated_at = now()
WHERE unit_id = %(unit_id)s AND status = 'held' AND hold_expires_at <= innkeep_now(property_id)
  AND stay && daterange(%(first)s, %(end)s)

-- name: insert_block
INSERT INTO reservation (property_id, unit_id, stay, status, block_reason)
VALUES (%(property_id)s, %(unit_id)s, daterange(%(first)s, %(end)s), 'blocked', %(reason)s)
RETURNING id

-- name: in_the_way
SELECT status::text AS status, reference, lower(stay) AS first_night,
       upper(stay) - 1 AS last_night, hold_expires_at, block_reason
FROM reservation
WHERE unit_id = %(unit_id)s AND stay && daterange(%(first)s, %(end)s)
  AND status IN ('held', 'confirmed', 'blocked')
ORDER BY lower(stay)

-- name: lift_block
UPDATE reservation r
SET status = 'cancelled', version = r.version + 1, updated_at = now()
FROM property p
WHERE r.id = %(id)s AND r.status = 'blocked' AND p.id = r.property_id AND p.slug = %(slug)s
RETURNING r.id

-- name: list_blocks
SELECT r.id, u.name AS unit, lower(r.stay) AS first_night, upper(r.stay) - 1 AS last_night,
       r.block_reason
FROM reservation r JOIN unit u ON u.id = r.unit_id JOIN property p ON p.id = r.property_id
WHERE p.slug = %(slug)s AND r.status = 'blocked'
  AND upper(r.stay) > (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date
ORDER BY lower(r.stay), u.name
