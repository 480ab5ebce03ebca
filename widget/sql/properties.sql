-- name: rules_for_update
-- The rules before an apply (for their history), the row held until it commits.
SELECT pricing_rules FROM property WHERE slug = %(slug)s FOR UPDATE

-- name: upsert_property
INSERT INTO property (slug, name, contact_email, time_zone, currency, locale, allowed_origins,
                      check_in_time, check_out_time, cancellation_policy, pricing_rules,
                      booking_horizon_days, hold_share_percent, rate_plans, extras,
                      guest_retention_years, max_rooms_per_booking)
VALUES (%(slug)s, %(name)s, %(contact_email)s, %(time_zone)s, %(currency)s, %(locale)s,
        %(allowed_origins)s, %(check_in_time)s, %(check_out_time)s, %(cancellation_policy)s,
        %(pricing_rules)s, %(booking_horizon_days)s, %(hold_share_percent)s, %(rate_plans)s,
        %(extras)s, %(guest_retention_years)s, %(max_rooms_per_booking)s)
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, contact_email = EXCLUDED.contact_email,
    time_zone = EXCLUDED.time_zone, currency = EXCLUDED.currency, locale = EXCLUDED.locale,
    allowed_origins = EXCLUDED.allowed_origins, check_in_time = EXCLUDED.check_in_time,
    check_out_time = EXCLUDED.check_out_time,
    cancellation_policy = EXCLUDED.cancellation_policy, pricing_rules = EXCLUDED.pricing_rules,
    booking_horizon_days = EXCLUDED.booking_horizon_days,
    hold_share_percent = EXCLUDED.hold_share_percent,
    rate_plans = EXCLUDED.rate_plans, extras = EXCLUDED.extras,
    guest_retention_years = EXCLUDED.guest_retention_years,
    max_rooms_per_booking = EXCLUDED.max_rooms_per_booking,
    version = property.version + 1, updated_at = now()
WHERE (property.name, property.contact_email, property.time_zone, property.currency,
       property.locale, property.allowed_origins, property.check_in_time,
       property.check_out_time, property.cancellation_policy, property.pricing_rules,
       property.booking_horizon_days, property.hold_share_percent, property.rate_plans,
       property.extras, property.guest_retention_years, property.max_rooms_per_booking)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.contact_email, EXCLUDED.time_zone, EXCLUDED.currency,
       EXCLUDED.locale, EXCLUDED.allowed_origins, EXCLUDED.check_in_time,
       EXCLUDED.check_out_time, EXCLUDED.cancellation_policy, EXCLUDED.pricing_rules,
       EXCLUDED.booking_horizon_days, EXCLUDED.hold_share_percent, EXCLUDED.rate_plans,
       EXCLUDED.extras, EXCLUDED.guest_retention_years, EXCLUDED.max_rooms_per_booking)
RETURNING id, (xmax = 0) AS created

-- name: property_id_by_slug
SELECT id, currency FROM property WHERE slug = %(slug)s FOR UPDATE

-- name: upsert_room_type
INSERT INTO room_type (property_id, slug, name, description, descriptions, photos, max_guests,
                       included_guests, base_price, position)
VALUES (%(property_id)s, %(slug)s, %(name)s, %(description)s, %(descriptions)s, %(photos)s,
        %(max_guests)s, %(included_guests)s, %(base_price)s, %(position)s)
ON CONFLICT (property_id, slug) DO UPDATE SET
    name = EXCLUDED.name, description = EXCLUDED.description,
    descriptions = EXCLUDED.descriptions, photos = EXCLUDED.photos,
    max_guests = EXCLUDED.max_guests, included_guests = EXCLUDED.included_guests,
    base_price = EXCLUDED.base_price, position = EXCLUDED.position, active = true
WHERE (room_type.name, room_type.description, room_type.descriptions, room_type.photos,
       room_type.max_guests, room_type.included_guests, room_type.base_price,
       room_type.position, room_type.active)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.description, EXCLUDED.descriptions, EXCLUDED.photos,
       EXCLUDED.max_guests, EXCLUDED.included_guests, EXCLUDED.base_price,
       EXCLUDED.position, true)
RETURNING id, (xmax = 0) AS created

-- name: room_type_id
SELECT id FROM room_type WHERE property_id = %(property_id)s AND slug = %(slug)s

-- name: upsert_unit
INSERT INTO unit (property_id, room_type_id, name, position)
VALUES (%(property_id)s, %(room_type_id)s, %(name)s, %(position)s)
ON CONFLICT (property_id, name) DO UPDATE SET
    room_type_id = EXCLUDED.room_type_id, position = EXCLUDED.position, active = true
WHERE (unit.room_type_id, unit.position, unit.active)
      IS DISTINCT FROM (EXCLUDED.room_type_id, EXCLUDED.position, true)
RETURNING id, (xmax = 0) AS created

-- name: units_to_retire
-- Active units the file no longer lists, with how many stays they still have ahead.
SELECT u.name,
       (SELECT count(*) FROM reservation r
         WHERE r.unit_id = u.id AND r.status IN ('held', 'confirmed', 'blocked')
           AND upper(r.stay) > (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date) AS future
FROM unit u JOIN property p ON p.id = u.property_id
WHERE u.property_id = %(property_id)s AND u.active AND NOT (u.name = ANY(%(keep)s))
ORDER BY u.name

-- name: room_types_to_retire
SELECT rt.slug,
       (SELECT count(*) FROM reservation r JOIN unit u ON u.id = r.unit_id
         WHERE u.room_type_id = rt.id AND r.status IN ('held', 'confirmed', 'blocked')
           AND upper(r.stay) > (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date) AS future
FROM room_type rt JOIN property p ON p.id = rt.property_id
WHERE rt.property_id = %(property_id)s AND rt.active AND NOT (rt.slug = ANY(%(keep)s))
ORDER BY rt.slug

-- name: retire_units
UPDATE unit SET active = false WHERE property_id = %(property_id)s AND name = ANY(%(names)s)

-- name: retire_room_types
UPDATE room_type SET active = false WHERE property_id = %(property_id)s AND slug = ANY(%(slugs)s)

-- name: bump_version
UPDATE property SET version = version + 1, updated_at = now() WHERE id = %(property_id)s

-- name: public_property
SELECT p.id, p.slug, p.name, p.time_zone, p.currency, p.locale, p.check_in_time,
       p.check_out_time, p.cancellation_policy, p.allowed_origins, p.version,
       p.rate_plans, p.extras, p.pricing_rules, p.max_rooms_per_booking,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today
FROM property p WHERE p.slug = %(slug)s

-- name: public_room_types
SELECT rt.slug, rt.name, rt.description, rt.descriptions, rt.photos, rt.max_guests, rt.included_guests,
       rt.base_price,
       (SELECT count(*) FROM unit u WHERE u.room_type_id = rt.id AND u.active) AS units
FROM room_type rt
WHERE rt.property_id = %(property_id)s AND rt.active
ORDER BY rt.position, rt.slug

-- name: public_room_photos
-- The photos uploaded in the console, after the file's own (widget.rooms.photos).
SELECT rt.slug AS room_type, ph.id, ph.digest, ph.alt
FROM room_photo ph JOIN room_type rt ON rt.id = ph.room_type_id
WHERE ph.property_id = %(property_id)s
ORDER BY ph.position, ph.id

-- name: upsert_channel
-- The channel a [[feeds]] entry names (unit and name); made once, kept when its feed goes.
INSERT INTO channel (property_id, unit_id, name)
SELECT %(property_id)s, u.id, %(name)s
FROM unit u WHERE u.property_id = %(property_id)s AND u.name = %(unit)s
ON CONFLICT (unit_id, name) DO UPDATE SET name = EXCLUDED.name
RETURNING id

-- name: upsert_channel_feed
-- Its feed: a row only when something changed (true when added). A new URL forgets the old
-- one's validators, health and conflicts' e-mail state, and is fetched at once.
INSERT INTO channel_feed (channel_id, url, interval_seconds)
VALUES (%(channel_id)s, %(url)s, %(interval_seconds)s)
ON CONFLICT (channel_id) DO UPDATE SET
    url = EXCLUDED.url,
    interval_seconds = EXCLUDED.interval_seconds,
    next_fetch_at = CASE WHEN channel_feed.url = EXCLUDED.url THEN channel_feed.next_fetch_at
                         ELSE now() END,
    etag = CASE WHEN channel_feed.url = EXCLUDED.url THEN channel_feed.etag END,
    last_modified = CASE WHEN channel_feed.url = EXCLUDED.url
                         THEN channel_feed.last_modified END,
    failing_since = CASE WHEN channel_feed.url = EXCLUDED.url
                         THEN channel_feed.failing_since END,
    updated_at = now()
WHERE (channel_feed.url, channel_feed.interval_seconds)
      IS DISTINCT FROM (EXCLUDED.url, EXCLUDED.interval_seconds)
RETURNING (xmax = 0) AS created

-- name: stored_feed_url
-- The URL of the unit's connected feed of that name (none: a new feed), and its channel.
SELECT f.url, c.id AS channel_id FROM channel_feed f
JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
WHERE c.property_id = %(property_id)s AND u.name = %(unit)s AND c.name = %(name)s

-- name: feeds_for_export
-- The connected feeds in the units' order, as [[feeds]] lists them.
SELECT u.name AS unit, c.name, f.url, f.interval_seconds
FROM channel_feed f
JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE c.property_id = %(property_id)s
ORDER BY rt.position, u.position, u.name, c.name

-- name: feeds_to_disconnect
-- Connected feeds whose "unit\nname" the file no longer lists.
SELECT c.id, u.name AS unit, c.name
FROM channel_feed f JOIN channel c ON c.id = f.channel_id JOIN unit u ON u.id = c.unit_id
WHERE c.property_id = %(property_id)s AND NOT (u.name || E'\n' || c.name = ANY(%(keep)s))
ORDER BY u.name, c.name

-- name: release_imported_stays
UPDATE reservation
SET status = 'cancelled', version = version + 1, updated_at = now(), cancelled_at = now()
WHERE source_channel_id = %(channel_id)s AND status = 'blocked'

-- name: disconnect_feed
WITH events AS (DELETE FROM imported_event WHERE channel_id = %(channel_id)s),
     conflicts AS (
        UPDATE sync_conflict SET resolved_at = now()
        WHERE channel_id = %(channel_id)s AND resolved_at IS NULL
     )
DELETE FROM channel_feed WHERE channel_id = %(channel_id)s
-- name: property_for_export
SELECT p.id, p.slug, p.name, p.contact_email, p.time_zone, p.currency, p.locale,
       p.allowed_origins, to_char(p.check_in_time, 'HH24:MI') AS check_in_time,
       to_char(p.check_out_time, 'HH24:MI') AS check_out_time, p.cancellation_policy,
       p.pricing_rules, p.booking_horizon_days, p.hold_share_percent, p.guest_retention_years,
       p.rate_plans, p.extras, p.max_rooms_per_booking
FROM property p WHERE p.slug = %(slug)s

-- name: room_types_for_export
-- The active room types in the owner's order, each with its active units in theirs.
SELECT rt.slug, rt.name, rt.description, rt.descriptions, rt.photos, rt.max_guests, rt.included_guests,
       rt.base_price,
       coalesce((SELECT array_agg(u.name ORDER BY u.position, u.name) FROM unit u
                  WHERE u.room_type_id = rt.id AND u.active), '{}') AS units
FROM room_type rt
WHERE rt.property_id = %(property_id)s AND rt.active
ORDER BY rt.position, rt.slug
