-- name: claim_idempotency_key
-- Take a key for this request: a new one, one past its 24 hours, or one whose first request
-- died in flight (same body only). No row back means someone else holds the key.
-- Only a hash of the key (derived with its scope) is kept; the answer is sealed under a key
-- derived from the raw Idempotency-Key (widget.idempotency).
INSERT INTO idempotency_key (key_hash, request_hash, created_at)
VALUES (%(key_hash)s, %(request_hash)s, innkeep_now())
ON CONFLICT (key_hash) DO UPDATE
SET request_hash = EXCLUDED.request_hash, status_code = NULL, response = NULL,
    created_at = EXCLUDED.created_at
WHERE idempotency_key.created_at < innkeep_now() - make_interval(hours => %(keep_hours)s)
   OR (idempotency_key.status_code IS NULL
       AND idempotency_key.request_hash = EXCLUDED.request_hash
       AND idempotency_key.created_at
           < innkeep_now() - make_interval(secs => %(abandoned_after)s))
RETURNING key_hash

-- name: idempotency_key
SELECT request_hash, status_code, response FROM idempotency_key
WHERE key_hash = %(key_hash)s
  AND created_at >= innkeep_now() - make_interval(hours => %(keep_hours)s)

-- name: settle_idempotency_key
UPDATE idempotency_key
SET status_code = %(status_code)s, response = %(response)s
WHERE key_hash = %(key_hash)s AND request_hash = %(request_hash)s
  AND status_code IS NULL

-- name: release_idempotency_key
DELETE FROM idempotency_key
WHERE key_hash = %(key_hash)s AND request_hash = %(request_hash)s
  AND status_code IS NULL

-- name: forget_idempotency_keys
DELETE FROM idempotency_key
WHERE created_at < innkeep_now() - make_interval(hours => %(keep_hours)s)

-- name: demo_authorise
-- The same key gives the same payment, as Stripe's idempotency keys do.
INSERT INTO demo_payment (id, idempotency_key, hold_id, amount, currency, status)
VALUES (%(id)s, %(key)s, %(hold_id)s, %(amount)s, %(currency)s, 'requires_capture')
ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
RETURNING *

-- name: demo_payment
SELECT * FROM demo_payment WHERE id = %(id)s

-- name: demo_capture
-- Capturing twice is harmless; a cancelled payment stays cancelled.
UPDATE demo_payment
SET status = CASE WHEN status = 'requires_capture' THEN 'succeeded' ELSE status END,
    amount_received = CASE WHEN status = 'requires_capture' THEN amount ELSE amount_received END
WHERE id = %(id)s
RETURNING *

-- name: demo_cancel
UPDATE demo_payment
SET status = CASE WHEN status = 'succeeded' THEN status ELSE 'canceled' END
WHERE id = %(id)s
RETURNING *

-- name: demo_refund
UPDATE demo_payment
SET amount_refunded = least(amount_received, amount_refunded + %(amount)s)
WHERE id = %(id)s AND status = 'succeeded'
RETURNING *

-- name: demo_uncaptured
SELECT * FROM demo_payment
WHERE status = 'requires_capture'
  AND created_at BETWEEN to_timestamp(%(created_from)s) AND to_timestamp(%(created_until)s)
ORDER BY created_at DESC
LIMIT 500

-- name: reservation_for_payment
SELECT r.id, r.property_id, r.status::text AS status, r.version, r.reference, r.guest,
       r.quote, r.payment_provider, r.payment_ref, r.payment_status, r.payment_captured_at,
       lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults, r.children,
       r.hold_expires_at, r.hold_expires_at <= innkeep_now() AS lapsed,
       rt.slug AS room_type, rt.name AS room_type_name, p.slug AS property_slug,
       p.currency
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s

-- name: reservation_by_payment
SELECT id FROM reservation WHERE payment_ref = %(payment_ref)s

-- name: store_guest
-- Checkout, before any payment: the guest's details go on the hold while it is open. Not a
-- change of state (no new version), so a double click does not fence out its own payment.
UPDATE reservation SET guest = %(guest)s, updated_at = now()
WHERE id = %(id)s AND status = 'held' AND hold_expires_at > innkeep_now()
RETURNING id

-- name: start_payment
-- Checkout: the payment goes on the hold, whose time is extended so that 3-D Secure can
-- finish. Fenced by version; a lapsed or changed hold is left alone.
-- Only the first checkout extends it: a hold lives at most hold + grace time, so checking
-- out again and again cannot keep a room (or its client's quota) for ever.
UPDATE reservation
SET payment_provider = %(provider)s, payment_ref = %(payment_ref)s,
    payment_status = %(payment_status)s, version = version + 1, updated_at = now(),
    hold_expires_at = CASE WHEN payment_ref IS NULL
        THEN greatest(hold_expires_at, innkeep_now() + make_interval(secs => %(grace_seconds)s))
        ELSE hold_expires_at END
WHERE id = %(id)s AND version = %(version)s AND status = 'held'
  AND hold_expires_at > innkeep_now()
  AND (payment_ref IS NULL OR payment_ref = %(payment_ref)s)
RETURNING hold_expires_at, version

-- name: keep_booking_secret
UPDATE reservation SET booking_secret_hash = %(secret_hash)s, payment_status = 'authorised'
WHERE id = %(id)s

-- name: keep_guest_key
-- The hash of the key the guest's own browser derives from its hold token (same every time).
UPDATE reservation SET guest_key_hash = %(key_hash)s
WHERE id = %(id)s AND status = 'confirmed'

-- name: payment_captured
UPDATE reservation
SET payment_status = 'captured', payment_captured_at = coalesce(payment_captured_at, innkeep_now()),
    updated_at = now()
WHERE id = %(id)s

-- name: payment_status
UPDATE reservation SET payment_status = %(payment_status)s, updated_at = now()
WHERE id = %(id)s AND payment_ref = %(payment_ref)s

-- name: record_webhook_event
INSERT INTO webhook_event (id, provider, type) VALUES (%(id)s, %(provider)s, %(type)s)
ON CONFLICT (id) DO NOTHING
RETURNING id

-- name: webhook_event_seen
SELECT 1 AS seen FROM webhook_event WHERE id = %(id)s

-- name: booking_for_mail
SELECT r.id, r.reference, r.guest, r.quote, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, r.adults, r.children, rt.name AS room_type_name,
       p.name AS property_name, p.contact_email, p.currency, p.locale, p.check_in_time,
       p.check_out_time, coalesce(r.cancellation_policy, p.cancellation_policy)
       AS cancellation_policy, p.time_zone, p.rate_plans, p.extras, r.payment_status
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s

-- name: enqueue_message
INSERT INTO outbox_message (reservation_id, kind, recipient, subject, body_text, body_html,
                            next_attempt_at)
VALUES (%(reservation_id)s, %(kind)s, %(recipient)s, %(subject)s, %(text)s, %(html)s,
        innkeep_now())

-- name: due_messages
-- Locked while this worker sends them; other workers skip them rather than send twice.
SELECT id, kind, recipient, subject, body_text, body_html, attempts
FROM outbox_message
WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= innkeep_now()
ORDER BY id
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED

-- name: message_sent
-- The text goes once it is sent: it carries the guest's manage-booking link.
UPDATE outbox_message
SET sent_at = innkeep_now(), attempts = attempts + 1, last_error = NULL,
    body_text = '', body_html = ''
WHERE id = %(id)s

-- name: message_failed
UPDATE outbox_message
SET attempts = attempts + 1, last_error = %(error)s,
    next_attempt_at = innkeep_now() + make_interval(secs => %(retry_in)s),
    failed_at = CASE WHEN attempts + 1 >= %(max_attempts)s THEN innkeep_now() END
WHERE id = %(id)s

-- name: unsettled_payments
-- Payments not captured whose reservation has been quiet a while: authorised but never
-- confirmed (the guest's tab closed, a worker died), or booked but not captured.
SELECT id FROM reservation
WHERE payment_ref IS NOT NULL AND payment_captured_at IS NULL
  AND (status = 'confirmed' OR coalesce(payment_status, '') NOT IN ('canceled', 'refunded'))
  AND updated_at <= innkeep_now() - make_interval(secs => %(quiet_seconds)s)
ORDER BY updated_at
LIMIT %(limit)s

-- name: clock_seconds
-- The database's clock (the one every worker shares) as Unix seconds.
SELECT extract(epoch FROM innkeep_now())::bigint AS now

-- name: payment_claimed
-- An authorisation is not an orphan while a reservation points to it, or while the hold it
-- was made for is still open (its checkout may be about to store it).
SELECT 1 AS claimed FROM reservation
WHERE payment_ref = %(payment_ref)s
   OR (id = %(hold_id)s AND status = 'held' AND hold_expires_at > innkeep_now())
LIMIT 1

-- name: try_lock_reservation
SELECT pg_try_advisory_lock(hashtextextended(%(id)s::text, 0)) AS locked

-- name: unlock_reservation
SELECT pg_advisory_unlock(hashtextextended(%(id)s::text, 0))

-- name: cancel_unpaid_booking
-- A booking whose payment can no longer be captured (the authorisation lapsed): no booking
-- without a captured payment.
UPDATE reservation
SET status = 'cancelled', payment_status = %(payment_status)s, cancelled_at = innkeep_now(),
    version = version + 1, updated_at = now()
WHERE id = %(id)s AND status = 'confirmed' AND payment_captured_at IS NULL
RETURNING id

-- name: hold_ended_before
SELECT hold_expires_at IS NULL
       OR hold_expires_at <= innkeep_now() - make_interval(secs => %(seconds)s) AS old
FROM reservation WHERE id = %(id)s

-- name: booking_by_reference
SELECT r.id, r.reference, r.status::text AS status, r.version, r.booking_secret_hash,
       r.guest_key_hash,
       r.guest, r.quote, lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults,
       r.children, r.payment_provider, r.payment_ref, r.payment_status, r.cancelled_at,
       r.refund_amount, rt.slug AS room_type, rt.name AS room_type_name,
       p.slug AS property_slug, p.name AS property_name, p.currency,
       coalesce(r.cancellation_policy, p.cancellation_policy) AS cancellation_policy,
       p.rate_plans, p.extras,
       (innkeep_now() AT TIME ZONE p.time_zone)::date AS today
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.reference = %(reference)s

-- name: cancel_booking
-- Fenced by version: two clicks on "cancel" cancel once.
UPDATE reservation
SET status = 'cancelled', cancelled_at = innkeep_now(), refund_amount = %(refund)s,
    payment_status = CASE WHEN %(refund)s > 0 THEN 'refund_pending' ELSE payment_status END,
    version = version + 1, updated_at = now()
WHERE id = %(id)s AND version = %(version)s AND status = 'confirmed'
RETURNING id

-- name: refund_made
UPDATE reservation SET refund_ref = %(refund_ref)s, payment_status = 'refunded',
       updated_at = now()
WHERE id = %(id)s

-- name: refunds_due
SELECT id FROM reservation
WHERE status = 'cancelled' AND refund_amount > 0 AND refund_ref IS NULL
  AND payment_status = 'refund_pending'
LIMIT %(limit)s

-- name: refund_of
SELECT payment_ref, refund_amount FROM reservation WHERE id = %(id)s
