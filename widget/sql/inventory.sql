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
       r.hold_expires_at <= innkeep_now(r.property_id) AS lapsed, r.adults, r.children, r.quote,
       r.quote_hash, r.promo_code, r.guest, r.reference, r.payment_provider, r.payment_ref,
       r.payment_status, r.client_key, r.payment_terms, p.name AS property_name,
       (SELECT jsonb_agg(m.quote ORDER BY m.group_position) FROM reservation m
        WHERE m.group_id = r.id) AS group_quotes
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s AND r.status <> 'blocked'

-- name: property_for_pricing
SELECT id, slug, currency, time_zone, version, inventory_version, pricing_rules, locale,
       booking_horizon_days, hold_share_percent, rate_plans, extras, max_rooms_per_booking,
       (innkeep_now(id) AT TIME ZONE time_zone)::date AS today
FROM property WHERE slug = %(slug)s

-- name: property_versions
-- seconds_to_midnight: how long "today" stays today at the property, by the database's clock.
-- The clock is read once (innkeep_now, with its subqueries, is never inlined: each call site
-- costs a run of its own; OFFSET 0 keeps the planner from copying the call back out).
SELECT id, version, inventory_version, time_zone, booking_horizon_days,
       (clock.local)::date AS today,
       extract(epoch FROM (clock.local)::date + 1 - clock.local) AS seconds_to_midnight
FROM property,
     LATERAL (SELECT innkeep_now(property.id) AT TIME ZONE property.time_zone AS local
              OFFSET 0) AS clock
WHERE slug = %(slug)s

-- name: room_types_for_pricing
SELECT rt.id, rt.slug, rt.max_guests, rt.included_guests, rt.base_price,
       coalesce(array_agg(u.id ORDER BY u.position, u.id) FILTER (WHERE u.id IS NOT NULL),
                '{}') AS unit_ids
FROM room_type rt
LEFT JOIN unit u ON u.room_type_id = rt.id AND u.active
WHERE rt.property_id = %(property_id)s AND rt.active
GROUP BY rt.id
ORDER BY rt.position, rt.slug

-- name: busy_stays_ahead
-- Every stay that occupies a night from yesterday on, and for a hold the seconds it has left
-- by the database's clock, so a worker can keep the lot in memory until the first of them
-- lapses; with the inventory version they are true at (the same snapshot: a row of NULLs
-- when there are none), from which each reservation's change moves them on. (SELECT
-- innkeep_now(…)): the clock read once per query, not once per row (the function is never
-- inlined, and each call is a query of its own: 150 stays took 4.5 ms instead of 0.1 ms).
-- Seconds rather than timestamps: a timestamp costs the worker more to read than the rest
-- of its row.
SELECT property.inventory_version, stays.*
FROM property
LEFT JOIN (
    SELECT unit_id, lower(stay) AS first_night, upper(stay) AS check_out,
           CASE WHEN status = 'held'
                THEN extract(epoch FROM hold_expires_at
                                        - (SELECT innkeep_now(%(property_id)s)))::float8
           END AS lapses_in
    FROM reservation
    WHERE property_id = %(property_id)s
      AND upper(stay) > %(from)s
      AND (status IN ('confirmed', 'blocked')
           OR (status = 'held' AND hold_expires_at > (SELECT innkeep_now(%(property_id)s))))
) AS stays ON true
WHERE property.id = %(property_id)s

-- name: busy_stays
-- What occupies a unit on some night of the window: bookings, blocks, and holds whose time
-- is not up by the database's clock (a lapsed hold frees its nights even before the sweep).
-- The clock read once per query (see busy_stays_ahead).
SELECT unit_id, lower(stay) AS first_night, upper(stay) AS check_out
FROM reservation
WHERE property_id = %(property_id)s
  AND stay && daterange(%(start)s, %(end)s)
  AND (status IN ('confirmed', 'blocked')
       OR (status = 'held' AND hold_expires_at > (SELECT innkeep_now(%(property_id)s))))

-- name: hold_is_active
-- Whether a gate's holder still has a claim Postgres honours (no row: not written yet).
SELECT status IN ('confirmed', 'blocked')
       OR (status = 'held' AND hold_expires_at > innkeep_now(property_id)) AS active
FROM reservation WHERE id = %(id)s

-- name: release_hold
-- The hold, and with a group's first room every room of the group (the caller has locked
-- the first room, as confirmation does, so the two never deadlock).
UPDATE reservation
SET status = 'cancelled', version = version + 1, hold_expires_at = NULL, updated_at = now()
WHERE (id = %(id)s OR group_id = %(id)s) AND status = 'held'
RETURNING id, unit_id, lower(stay) AS check_in, upper(stay) AS check_out, property_id,
          client_key, client_address, group_id

-- name: sweep_lapsed_holds
-- Safe with any number of workers: each lapsed hold is expired by exactly one of them.
WITH lapsed AS (
    SELECT id FROM reservation
    WHERE status = 'held' AND hold_expires_at <= innkeep_now(property_id)
    ORDER BY hold_expires_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE reservation r
SET status = 'expired', version = r.version + 1, updated_at = now()
FROM lapsed WHERE r.id = lapsed.id
RETURNING r.id, r.property_id, r.unit_id, lower(r.stay) AS check_in, upper(r.stay) AS check_out,
          r.client_key, r.client_address, r.group_id

-- name: client_holds_in_postgres
-- Hold quotas while Redis is away: the client's live holds (by session key and by address)
-- and its hold attempts of the last minute, with when the first live hold ends.
SELECT
  count(*) FILTER (WHERE client_key = %(key)s AND status = 'held'
                   AND hold_expires_at > innkeep_now(%(property_id)s)) AS by_key,
  count(*) FILTER (WHERE client_address = %(address)s AND status = 'held'
                   AND hold_expires_at > innkeep_now(%(property_id)s)) AS by_address,
  count(*) FILTER (WHERE client_address = %(address)s
                   AND created_at > innkeep_now(%(property_id)s) - interval '1 minute') AS attempts,
  extract(epoch FROM min(hold_expires_at) FILTER (WHERE status = 'held'
                                                  AND hold_expires_at > innkeep_now(%(property_id)s))
                     - innkeep_now(%(property_id)s)) AS first_ends_in
FROM reservation
WHERE property_id = %(property_id)s AND client_key IS NOT NULL
  AND (client_key = %(key)s OR client_address = %(address)s)

-- name: holds_no_longer_held
-- Of the holds a client's quota counts in Redis, those Postgres no longer counts as held
-- (booked, released, cancelled, lapsed): their places are given back. A hold with no row yet
-- is a request still on its way to Postgres and keeps its place.
SELECT id FROM reservation
WHERE id = ANY(%(ids)s) AND NOT (status = 'held' AND hold_expires_at > innkeep_now(property_id))

-- name: group_members
-- The other rooms of the group whose first room is %(id)s, locked, in the guest's order.
SELECT id, status::text AS status
FROM reservation WHERE group_id = %(id)s AND id <> %(id)s
ORDER BY group_position FOR UPDATE

-- name: confirm_group_members
-- With the group's first room, in the same transaction: one booking, one payment (which
-- the first room alone carries: a payment belongs to one row).
UPDATE reservation
SET status = 'confirmed', version = version + 1, hold_expires_at = NULL, updated_at = now()
WHERE group_id = %(id)s AND id <> %(id)s AND status IN ('held', 'expired')
RETURNING id

-- name: extend_group
-- Checkout extended the first room's time for the payment: the other rooms keep the same.
UPDATE reservation m
SET hold_expires_at = lead.hold_expires_at, updated_at = now()
FROM reservation lead
WHERE lead.id = %(id)s AND m.group_id = lead.id AND m.id <> lead.id AND m.status = 'held'
  AND lead.status = 'held'

-- name: group_rooms
-- The rooms of a hold or booking, in the guest's order (a single room: just itself).
-- A room cancelled alone carries its own refund (the first room's is the whole booking's)
-- and what its policy kept (migration 0037).
SELECT rt.slug AS room_type, r.adults, r.children, r.quote, r.status::text AS status,
       CASE WHEN r.id <> %(id)s THEN r.refund_amount END AS refund_amount,
       r.room_kept AS kept
FROM reservation r
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s OR r.group_id = %(id)s
ORDER BY coalesce(r.group_position, 0)

-- name: cancel_group_members
-- With the group's first room, in the same transaction: cancelling cancels every room.
UPDATE reservation
SET status = 'cancelled', cancelled_at = innkeep_now(property_id), version = version + 1,
    updated_at = now()
WHERE group_id = %(id)s AND id <> %(id)s AND status = 'confirmed'

-- name: hold_rooms
-- A hold's rooms written at once (migration 0041): the holds that lapsed on their nights,
-- then the rooms held with the inventory version the write made.
SELECT * FROM innkeep_hold_rooms(%(property_id)s, %(rooms)s::jsonb, %(hold_seconds)s)
