-- iCal import: claiming feeds, applying what they list, conflicts and health.

-- name: claim_due_feeds
-- Lease the feeds that are due and not leased (or whose lease lapsed: a crashed worker's
-- claim runs out). SKIP LOCKED lets workers claim side by side; the lease, not a lock, is
-- what keeps a feed with one worker during its fetch.
UPDATE channel_feed f
SET lease_until = innkeep_now() + make_interval(secs => %(lease_seconds)s),
    lease_holder = %(holder)s
WHERE f.channel_id IN (
    SELECT d.channel_id FROM channel_feed d
    WHERE d.next_fetch_at <= innkeep_now()
      AND (d.lease_until IS NULL OR d.lease_until <= innkeep_now())
    ORDER BY d.next_fetch_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING f.channel_id

-- name: claim_feeds_now
-- `innkeep sync run`: lease the property's feeds (one, by name) whatever their schedule,
-- unless a worker holds them right now.
UPDATE channel_feed f
SET lease_until = innkeep_now() + make_interval(secs => %(lease_seconds)s),
    lease_holder = %(holder)s
FROM channel c, property p
WHERE c.id = f.channel_id AND p.id = c.property_id AND p.slug = %(slug)s
  AND (%(name)s::text IS NULL OR c.name = %(name)s)
  AND (f.lease_until IS NULL OR f.lease_until <= innkeep_now())
RETURNING f.channel_id

-- name: leased_feed
-- A feed as its leaseholder fetches and applies it; no row once the lease was lost (it
-- lapsed and another worker took the feed). Locked for the apply's transaction.
SELECT f.channel_id, f.url, f.interval_seconds, f.etag, f.last_modified, f.failing_since,
       f.failure_told_at, f.last_status, c.name, c.unit_id, c.property_id, u.name AS unit,
       p.slug, p.name AS property_name, p.time_zone, p.contact_email,
       (innkeep_now() AT TIME ZONE p.time_zone)::date AS today, innkeep_now() AS now
FROM channel_feed f
JOIN channel c ON c.id = f.channel_id
JOIN unit u ON u.id = c.unit_id
JOIN property p ON p.id = c.property_id
WHERE f.channel_id = %(channel_id)s AND f.lease_holder = %(holder)s
  AND f.lease_until > innkeep_now()
FOR UPDATE OF f

-- name: lock_unit
-- The unit's lock, alone: no guest's hold is written on the unit while the import applies
-- (innkeep_hold_rooms, migration 0041).
SELECT pg_advisory_xact_lock(1414, mod(%(unit_id)s::bigint, 2147483647)::int)

-- name: stored_events
SELECT uid, stay, outcome, first_seen_at FROM imported_event WHERE channel_id = %(channel_id)s

-- name: imported_pieces
-- The nights this channel's events block now, piece by piece.
SELECT id, source_uid AS uid, stay FROM reservation
WHERE source_channel_id = %(channel_id)s AND status = 'blocked'

-- name: release_pieces
UPDATE reservation
SET status = 'cancelled', version = version + 1, updated_at = now(), cancelled_at = now()
WHERE source_channel_id = %(channel_id)s AND source_uid = ANY(%(uids)s) AND status = 'blocked'
RETURNING source_uid AS uid, stay

-- name: forget_events
DELETE FROM imported_event WHERE channel_id = %(channel_id)s AND uid = ANY(%(uids)s)

-- name: expire_lapsed_holds
UPDATE reservation
SET status = 'expired', version = version + 1, updated_at = now()
WHERE unit_id = %(unit_id)s AND status = 'held' AND hold_expires_at <= innkeep_now()
  AND stay && %(stay)s::daterange

-- name: displace_holds
-- The import wins over a live hold: the hold ends now; its guest learns at confirmation that
-- the room is gone (the row cannot be confirmed, so the authorisation is cancelled). What
-- a release gives back (the gate, the quota place) is given back after the commit.
UPDATE reservation
SET status = 'expired', version = version + 1, updated_at = now()
WHERE unit_id = %(unit_id)s AND status = 'held' AND stay && %(stay)s::daterange
RETURNING id, property_id, unit_id, lower(stay) AS check_in, upper(stay) AS check_out,
          client_key, client_address, group_id

-- name: in_the_way
-- Active reservations of the unit on the stay's nights that are not this channel's own.
SELECT id, stay, status::text AS status, source_channel_id, reference
FROM reservation
WHERE unit_id = %(unit_id)s AND stay && %(stay)s::daterange
  AND status IN ('confirmed', 'blocked')
ORDER BY lower(stay)

-- name: insert_piece
INSERT INTO reservation (property_id, unit_id, stay, status, source_channel_id, source_uid,
                         block_reason)
VALUES (%(property_id)s, %(unit_id)s, %(stay)s, 'blocked', %(channel_id)s, %(uid)s,
        %(reason)s)
RETURNING id

-- name: record_conflict
-- One row per pair of sides: `told` is true only the first time (one e-mail per conflict);
-- a clash that comes back (a flip-flopping feed) reopens its row, unless the owner resolved
-- it by hand and it still clashes on the same nights.
INSERT INTO sync_conflict (property_id, channel_id, uid, event_stay, reservation_id, nights,
                           detected_at)
VALUES (%(property_id)s, %(channel_id)s, %(uid)s, %(event_stay)s, %(reservation_id)s,
        %(nights)s, innkeep_now())
ON CONFLICT (channel_id, uid, reservation_id) DO UPDATE
SET resolved_at = CASE WHEN sync_conflict.resolved_by IS NOT NULL
                            AND sync_conflict.nights = EXCLUDED.nights
                       THEN sync_conflict.resolved_at END,
    resolved_by = CASE WHEN sync_conflict.nights = EXCLUDED.nights
                       THEN sync_conflict.resolved_by END,
    nights = EXCLUDED.nights, event_stay = EXCLUDED.event_stay
RETURNING id, (xmax = 0) AS new

-- name: resolve_gone_conflicts
-- A clash is over when the event is gone or moved off the other side's nights, or the other
-- side is no longer active.
UPDATE sync_conflict k
SET resolved_at = innkeep_now()
WHERE k.channel_id = %(channel_id)s AND k.resolved_at IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM imported_event e JOIN reservation r ON r.id = k.reservation_id
    WHERE e.channel_id = k.channel_id AND e.uid = k.uid AND e.outcome = 'blocked'
      AND r.status IN ('confirmed', 'blocked') AND r.stay && e.stay
  )
RETURNING k.id

-- name: feed_fetched
-- A usable answer (200 or 304): health is good, the next fetch is scheduled, the lease ends.
UPDATE channel_feed
SET last_attempt_at = innkeep_now(), last_success_at = innkeep_now(),
    last_status = %(status)s, event_count = coalesce(%(event_count)s, event_count),
    etag = CASE WHEN %(status)s = 304 THEN etag ELSE %(etag)s END,
    last_modified = CASE WHEN %(status)s = 304 THEN last_modified ELSE %(last_modified)s END,
    last_error = CASE WHEN %(status)s <> 304 THEN %(problems)s
                      WHEN failing_since IS NULL THEN last_error END,
    failing_since = NULL, failure_told_at = NULL, failures = 0,
    next_fetch_at = innkeep_now() + make_interval(secs => %(next_in)s),
    lease_until = NULL, lease_holder = NULL, updated_at = now()
WHERE channel_id = %(channel_id)s AND lease_holder = %(holder)s

-- name: feed_failed
UPDATE channel_feed
SET last_attempt_at = innkeep_now(), last_status = %(status)s, last_error = %(error)s,
    failing_since = coalesce(failing_since, innkeep_now()), failures = failures + 1,
    next_fetch_at = innkeep_now() + make_interval(secs => %(next_in)s),
    lease_until = NULL, lease_holder = NULL, updated_at = now()
WHERE channel_id = %(channel_id)s AND lease_holder = %(holder)s
RETURNING failing_since, failure_told_at, innkeep_now() AS now

-- name: failure_told
UPDATE channel_feed SET failure_told_at = innkeep_now() WHERE channel_id = %(channel_id)s

-- name: feed_status
-- Each feed of the property with its health, and its open conflicts.
SELECT c.id AS channel_id, u.name AS unit, c.name, f.url, f.interval_seconds,
       f.last_attempt_at, f.last_success_at, f.last_status, f.event_count, f.last_error,
       f.failing_since, f.next_fetch_at, f.failures, innkeep_now() AS now,
       coalesce((SELECT json_agg(json_build_object(
                    'id', k.id, 'uid', k.uid,
                    'event_check_in', lower(k.event_stay), 'event_check_out', upper(k.event_stay),
                    'check_in', lower(k.nights), 'check_out', upper(k.nights),
                    'other', CASE WHEN r.status = 'confirmed'
                                  THEN 'booking ' || coalesce(r.reference, '?')
                                  WHEN r.source_channel_id IS NOT NULL
                                  THEN 'a stay imported from ' || oc.name
                                  ELSE 'a block (' || coalesce(r.block_reason, '') || ')' END,
                    'detected_at', k.detected_at) ORDER BY k.id)
                 FROM sync_conflict k JOIN reservation r ON r.id = k.reservation_id
                 LEFT JOIN channel oc ON oc.id = r.source_channel_id
                 WHERE k.channel_id = c.id AND k.resolved_at IS NULL), '[]') AS conflicts
FROM channel_feed f
JOIN channel c ON c.id = f.channel_id
JOIN unit u ON u.id = c.unit_id
JOIN property p ON p.id = c.property_id
WHERE p.slug = %(slug)s
ORDER BY u.position, c.name

-- name: other_side
SELECT r.status::text AS status, r.reference, r.block_reason, oc.name AS other_channel
FROM reservation r LEFT JOIN channel oc ON oc.id = r.source_channel_id
WHERE r.id = %(id)s

-- name: echoes
-- `is_echo` for many events at once: the UIDs whose every night was served before.
SELECT e.uid FROM unnest(%(uids)s::text[], %(stays)s::daterange[]) AS e (uid, stay)
WHERE NOT EXISTS (
    SELECT 1 FROM generate_series(lower(e.stay), upper(e.stay) - 1, interval '1 day') AS n (night)
    WHERE NOT EXISTS (
        SELECT 1 FROM export_served s JOIN export_feed f ON f.id = s.export_feed_id
        WHERE f.channel_id = %(channel_id)s AND s.first_served_at <= %(first_seen_at)s
          AND s.stay @> n.night::date
    )
)

-- name: keep_events
INSERT INTO imported_event (channel_id, uid, stay, outcome, first_seen_at, updated_at)
SELECT %(channel_id)s, e.uid, e.stay, e.outcome, %(first_seen_at)s, innkeep_now()
FROM unnest(%(uids)s::text[], %(stays)s::daterange[], %(outcomes)s::text[])
     AS e (uid, stay, outcome)
ON CONFLICT (channel_id, uid) DO UPDATE SET
    stay = EXCLUDED.stay, outcome = EXCLUDED.outcome, first_seen_at = EXCLUDED.first_seen_at,
    updated_at = EXCLUDED.updated_at

-- name: displace_holds_on
-- `displace_holds` for many stays at once.
UPDATE reservation
SET status = 'expired', version = version + 1, updated_at = now()
WHERE unit_id = %(unit_id)s AND status = 'held' AND stay && ANY(%(stays)s::daterange[])
RETURNING id, property_id, unit_id, lower(stay) AS check_in, upper(stay) AS check_out,
          client_key, client_address, group_id

-- name: insert_pieces
INSERT INTO reservation (property_id, unit_id, stay, status, source_channel_id, source_uid,
                         block_reason)
SELECT %(property_id)s, %(unit_id)s, e.stay, 'blocked', %(channel_id)s, e.uid, %(reason)s
FROM unnest(%(uids)s::text[], %(stays)s::daterange[]) AS e (uid, stay)

-- name: resolve_conflict
-- The owner resolved an open conflict by hand (it stays resolved while the same two sides
-- clash on the same nights, see record_conflict); noted in the console's history, on the
-- Innkeep side's reservation. No row: no such open conflict on that property.
WITH resolved AS (
    UPDATE sync_conflict k
    SET resolved_at = innkeep_now(), resolved_by = %(actor)s
    FROM property p, channel c, unit u
    WHERE k.id = %(id)s AND k.resolved_at IS NULL AND p.id = k.property_id
      AND p.slug = %(slug)s AND c.id = k.channel_id AND u.id = c.unit_id
    RETURNING k.id, k.property_id, k.reservation_id, c.name AS channel, u.name AS unit,
              lower(k.nights) AS check_in, upper(k.nights) AS check_out
), noted AS (
    INSERT INTO console_event (property_id, reservation_id, actor, action, detail)
    SELECT property_id, reservation_id, %(actor)s, 'conflict_resolved',
           'conflict #' || id || ' with ' || channel || ' on ' || unit || ', nights '
           || check_in || ' to ' || check_out
    FROM resolved
)
SELECT id, channel, unit, check_in, check_out FROM resolved
