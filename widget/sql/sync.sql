-- name: feed_by_token
-- The export a presented token opens, with the property version it was read at (a rotation
-- bumps the version, so every worker drops what it remembered of the old token).
SELECT f.id, f.unit_id, f.channel_id, p.id AS property_id, p.slug, p.version,
       p.time_zone, p.name AS property_name, u.name AS unit_name, c.name AS channel_name
FROM export_feed f
JOIN unit u ON u.id = f.unit_id AND u.active
JOIN property p ON p.id = f.property_id
LEFT JOIN channel c ON c.id = f.channel_id
WHERE f.token_hash = %(token_hash)s

-- name: exported_stays
-- What a unit's feed lists: confirmed bookings and blocks (imported stays are blocks with a
-- source), never holds; a channel's own feed leaves out the stays imported from it. Stays
-- that ended more than `past_days` ago are history, not availability. The first column is
-- the feed's Last-Modified: the latest change to any stay it lists or listed (a cancelled
-- booking or a lifted block changes the feed too; rows are never deleted) or to the
-- property; every row carries it, and a feed with no stays still gets one row.
SELECT last.changed_at, now() AS read_at, s.id, s.check_in, s.check_out, s.status,
       s.updated_at
FROM (
    SELECT greatest(
        (SELECT max(r.updated_at) FROM reservation r
         WHERE r.unit_id = %(unit_id)s AND r.status IN ('confirmed', 'blocked', 'cancelled')),
        (SELECT p.updated_at FROM property p WHERE p.id = %(property_id)s)
    ) AS changed_at
) last
LEFT JOIN LATERAL (
    SELECT r.id, lower(r.stay) AS check_in, upper(r.stay) AS check_out,
           r.status::text AS status, r.updated_at
    FROM reservation r
    WHERE r.unit_id = %(unit_id)s
      AND r.status IN ('confirmed', 'blocked')
      AND upper(r.stay) > %(today)s::date - %(past_days)s::int
      AND (%(channel_id)s::bigint IS NULL OR r.source_channel_id IS DISTINCT FROM %(channel_id)s)
) s ON true
ORDER BY s.check_in, s.id

-- name: record_served
INSERT INTO export_served (export_feed_id, reservation_id, stay, first_served_at)
SELECT %(feed_id)s, s.id, daterange(s.check_in, s.check_out), innkeep_now()
FROM unnest(%(ids)s::uuid[], %(check_ins)s::date[], %(check_outs)s::date[])
     AS s (id, check_in, check_out)
JOIN reservation r ON r.id = s.id
ON CONFLICT DO NOTHING

-- name: units_with_feeds
-- Every active unit of the property with each of its exports: the full feed (channel NULL)
-- and one per connected channel; salt is NULL where no export was made yet.
SELECT u.id AS unit_id, u.name AS unit_name, p.id AS property_id, c.id AS channel_id,
       c.name AS channel_name, f.salt
FROM unit u
JOIN property p ON p.id = u.property_id
JOIN room_type rt ON rt.id = u.room_type_id
CROSS JOIN LATERAL (
    SELECT NULL::bigint AS id, NULL::text AS name
    UNION ALL
    SELECT ch.id, ch.name FROM channel ch WHERE ch.unit_id = u.id
) c
LEFT JOIN export_feed f ON f.unit_id = u.id AND f.channel_id IS NOT DISTINCT FROM c.id
WHERE p.slug = %(slug)s AND u.active
ORDER BY rt.position, u.position, c.name NULLS FIRST

-- name: add_feed
INSERT INTO export_feed (property_id, unit_id, channel_id, salt, token_hash)
VALUES (%(property_id)s, %(unit_id)s, %(channel_id)s, %(salt)s, %(token_hash)s)
ON CONFLICT (unit_id, channel_id) DO NOTHING

-- name: rotate_feed
-- One export gets a new token; the old URL stops working at once.
UPDATE export_feed f
SET salt = %(salt)s, token_hash = %(token_hash)s, rotated_at = now()
FROM unit u, property p
WHERE u.id = f.unit_id AND u.active AND p.id = f.property_id
  AND p.slug = %(slug)s AND u.name = %(unit)s
  AND CASE WHEN %(channel)s::text IS NULL THEN f.channel_id IS NULL
           ELSE f.channel_id = (SELECT c.id FROM channel c
                                WHERE c.unit_id = u.id AND c.name = %(channel)s) END
RETURNING f.property_id

-- name: forget_tokens
-- Workers remember which token opens which feed until the property's version moves.
UPDATE property SET version = version + 1 WHERE id = %(property_id)s
