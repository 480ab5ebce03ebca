-- Clocks: a delivery's times (when its event occurred, when it is due, when it gives up)
-- are its property's, innkeep_now(property_id), which a test property may have moved
-- forward (decision 16); leases are the workers' real time, the deployment's innkeep_now().

-- name: endpoints_of_property
SELECT id, url, events, secret, include_guest
FROM webhook_endpoint
WHERE property_id = %(property_id)s AND removed_at IS NULL
ORDER BY id

-- name: add_endpoint
INSERT INTO webhook_endpoint (property_id, url, events, secret, include_guest)
VALUES (%(property_id)s, %(url)s, %(events)s, %(secret)s, %(include_guest)s)

-- name: update_endpoint
UPDATE webhook_endpoint
SET events = %(events)s, secret = %(secret)s, include_guest = %(include_guest)s,
    updated_at = now()
WHERE id = %(id)s

-- name: remove_endpoints
UPDATE webhook_endpoint SET removed_at = now(), updated_at = now()
WHERE id = ANY (%(ids)s)

-- name: drop_pending_of_endpoints
-- What was still waiting for an endpoint the owner removed will not be sent.
UPDATE webhook_delivery
SET state = 'failed', failed_at = innkeep_now(property_id), lease_token = NULL, lease_until = NULL,
    last_error = 'the endpoint was removed from the property file'
WHERE endpoint_id = ANY (%(ids)s) AND state = 'pending'

-- name: enqueue_delivery
-- One row per endpoint of the property that wants this event; the guest's data only for
-- endpoints whose owner opted in.
INSERT INTO webhook_delivery (endpoint_id, property_id, message_id, event_type, booking_ref,
                              occurred_at, data, next_attempt_at, give_up_at)
SELECT e.id, e.property_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''),
       %(event_type)s, %(booking_ref)s, innkeep_now(e.property_id),
       CASE WHEN e.include_guest THEN %(data)s::jsonb ELSE %(data)s::jsonb - 'guest' END,
       innkeep_now(e.property_id), innkeep_now(e.property_id) + make_interval(secs => %(retry_for)s)
FROM webhook_endpoint e
WHERE e.property_id = %(property_id)s AND e.removed_at IS NULL
  AND %(event_type)s = ANY (e.events)
RETURNING id

-- name: booking_for_webhook
SELECT r.property_id, r.reference, r.status::text AS status, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, r.adults, r.children, r.guest, r.quote, r.refund_amount,
       u.name AS unit, rt.slug AS room_type_slug, rt.name AS room_type_name,
       p.slug AS property_slug, p.currency,
       group_rooms(r) AS group_rooms
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s

-- name: claim_deliveries
-- Due rows whose lease (if any) lapsed, and not behind an earlier unsettled delivery of the
-- same booking to the same endpoint. Claimed in one short statement; the HTTP calls happen
-- after it committed, and the lease token fences what the worker writes back.
WITH due AS (
    SELECT d.id
    FROM webhook_delivery d
    WHERE d.state = 'pending' AND d.next_attempt_at <= innkeep_now(d.property_id)
      AND (d.lease_until IS NULL OR d.lease_until <= innkeep_now())
      AND NOT EXISTS (
          SELECT 1 FROM webhook_delivery earlier
          WHERE d.booking_ref IS NOT NULL AND earlier.endpoint_id = d.endpoint_id
            AND earlier.booking_ref = d.booking_ref AND earlier.state = 'pending'
            AND earlier.id < d.id)
    ORDER BY d.next_attempt_at, d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_delivery d
SET lease_token = %(token)s,
    lease_until = innkeep_now() + make_interval(secs => %(lease_seconds)s)
FROM due, webhook_endpoint e
WHERE d.id = due.id AND e.id = d.endpoint_id
RETURNING d.id, d.message_id, d.event_type, d.occurred_at, d.data, d.attempts, e.url,
          e.secret

-- name: delivery_succeeded
UPDATE webhook_delivery
SET state = 'delivered', attempts = attempts + 1, last_status = %(status)s, last_error = NULL,
    delivered_at = innkeep_now(property_id), lease_token = NULL, lease_until = NULL
WHERE id = %(id)s AND lease_token = %(token)s

-- name: delivery_failed
-- Retried until give_up_at (the last try falls on it), then failed for good.
UPDATE webhook_delivery
SET attempts = attempts + 1, last_status = %(status)s, last_error = %(error)s,
    lease_token = NULL, lease_until = NULL,
    state = CASE WHEN innkeep_now(property_id) >= give_up_at THEN 'failed' ELSE 'pending' END,
    failed_at = CASE WHEN innkeep_now(property_id) >= give_up_at THEN innkeep_now(property_id) END,
    next_attempt_at = LEAST(innkeep_now(property_id) + make_interval(secs => %(retry_in)s),
                            give_up_at)
WHERE id = %(id)s AND lease_token = %(token)s
RETURNING state

-- name: recent_deliveries
SELECT d.id, d.event_type, d.booking_ref, d.state, d.attempts, d.next_attempt_at,
       d.last_status, d.last_error, d.occurred_at, d.delivered_at, d.failed_at, e.url
FROM webhook_delivery d
JOIN webhook_endpoint e ON e.id = d.endpoint_id
JOIN property p ON p.id = d.property_id
WHERE p.slug = %(slug)s
ORDER BY d.id DESC
LIMIT %(limit)s

-- name: property_exists
SELECT id FROM property WHERE slug = %(slug)s

-- name: resend_delivery
-- Sent again from now, with the same message id (receivers deduplicate by it), and
-- retried for another day. Not while a worker is sending it, nor to a removed endpoint.
UPDATE webhook_delivery d
SET state = 'pending', attempts = 0, next_attempt_at = innkeep_now(d.property_id),
    give_up_at = innkeep_now(d.property_id) + make_interval(secs => %(retry_for)s),
    delivered_at = NULL, failed_at = NULL
FROM webhook_endpoint e
WHERE d.id = %(id)s AND e.id = d.endpoint_id AND e.removed_at IS NULL
  AND (d.lease_until IS NULL OR d.lease_until <= innkeep_now())

-- name: delivery_for_resend
-- Whether the delivery is the named property's: an operator re-sends one property's
-- deliveries, never another guesthouse's by a mistyped id.
SELECT d.id, e.removed_at IS NOT NULL AS removed,
       d.lease_until IS NOT NULL AND d.lease_until > innkeep_now() AS sending,
       d.property_id = %(property_id)s AS ours
FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id
WHERE d.id = %(id)s
FOR UPDATE OF d

-- name: delivery_by_id
SELECT d.id, d.event_type, d.booking_ref, d.state, d.attempts, d.next_attempt_at,
       d.last_status, d.last_error, d.occurred_at, d.delivered_at, d.failed_at, e.url
FROM webhook_delivery d
JOIN webhook_endpoint e ON e.id = d.endpoint_id
WHERE d.id = %(id)s

-- name: endpoint_of_property
-- One live endpoint of a property, locked for an edit from the console.
SELECT id, url, events, include_guest
FROM webhook_endpoint
WHERE id = %(id)s AND property_id = %(property_id)s AND removed_at IS NULL
FOR UPDATE

-- name: edit_endpoint
-- The console's edit: the same endpoint (its secret and its deliveries stay) at a new URL
-- or for other events; what is still waiting goes to the new URL.
UPDATE webhook_endpoint
SET url = %(url)s, events = %(events)s, include_guest = %(include_guest)s, updated_at = now()
WHERE id = %(id)s
