-- The console's Rooms page: uploaded photos (widget/rooms).

-- name: add_photo
INSERT INTO room_photo (property_id, room_type_id, digest, media_type, image, width, height,
                        alt, position, added_by)
SELECT %(property_id)s, rt.id, %(digest)s, %(media_type)s, %(image)s, %(width)s, %(height)s,
       %(alt)s,
       coalesce((SELECT max(position) + 1 FROM room_photo WHERE room_type_id = rt.id), 0),
       %(added_by)s
FROM room_type rt
WHERE rt.property_id = %(property_id)s AND rt.slug = %(room_type)s AND rt.active
RETURNING id

-- name: remove_photo
DELETE FROM room_photo WHERE id = %(photo_id)s AND property_id = %(property_id)s
RETURNING id

-- name: photos_of_property
SELECT ph.id, rt.slug AS room_type, ph.digest, ph.alt, ph.width, ph.height
FROM room_photo ph JOIN room_type rt ON rt.id = ph.room_type_id
WHERE ph.property_id = %(property_id)s
ORDER BY rt.position, ph.position, ph.id

-- name: photo_image
SELECT ph.image FROM room_photo ph JOIN property p ON p.id = ph.property_id
WHERE p.slug = %(slug)s AND ph.id = %(photo_id)s AND left(ph.digest, 16) = %(digest_prefix)s

-- name: lock_property
-- Held while the console exports, changes and applies the property file.
SELECT id FROM property WHERE slug = %(slug)s FOR UPDATE

-- name: connected_feeds
-- The iCal feeds as the property file writes them (for an export that leaves them out).
SELECT u.name AS unit, c.name, f.url, f.interval_seconds / 60 AS "interval"
FROM channel_feed f JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
JOIN property p ON p.id = c.property_id
WHERE p.slug = %(slug)s
ORDER BY u.name, c.name

-- name: photos_of_room_type_for_update
-- One room type's uploaded photos in their order, locked while the owner reorders them.
SELECT id FROM room_photo
WHERE room_type_id = (SELECT room_type_id FROM room_photo
                      WHERE id = %(photo_id)s AND property_id = %(property_id)s)
ORDER BY position, id
FOR UPDATE

-- name: set_photo_positions
-- Each photo's place, from the list of ids in their new order (0, 1, 2, …).
UPDATE room_photo ph SET position = ordered.place - 1
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS ordered (id, place)
WHERE ph.id = ordered.id

-- name: set_photo_alt
UPDATE room_photo SET alt = %(alt)s
WHERE id = %(photo_id)s AND property_id = %(property_id)s
RETURNING id
