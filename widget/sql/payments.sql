-- Clocks: what concerns one property's booking (its holds, its today, when a charge is due,
-- when it was cancelled or captured) reads that property's clock, innkeep_now(property_id),
-- which a test property may have moved forward (decision 16). Leases, the outbox, the
-- reconcilers' quiet times and idempotency keys are the workers' real time and no one
-- property's: they read the deployment's clock, innkeep_now().

-- name: claim_idempotency_key
-- Take a key for this request: a new one, one past its 24 hours, or one whose first request
-- died in flight (same body only). No row back means someone else holds the key.
-- Only a hash of the key (derived with its scope) is kept; the answer is sealed under a key
-- derived from the raw Idempotency-Key (widget.idempotency). The deployment's clock (for
-- every idempotency key query): a key is a client's request, not a property's.
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
-- The same key gives the same payment, as Stripe's idempotency keys do; a payment the last
-- card did not authorise (declined, or its bank's check cancelled) is tried again with the
-- card given now, as a PaymentIntent is confirmed again with another card.
INSERT INTO demo_payment (id, idempotency_key, hold_id, amount, currency, status, error_code)
VALUES (%(id)s, %(key)s, %(hold_id)s, %(amount)s, %(currency)s, %(status)s, %(error_code)s)
ON CONFLICT (idempotency_key) DO UPDATE
SET status = CASE WHEN demo_payment.status IN ('requires_payment_method', 'requires_action')
                  THEN EXCLUDED.status ELSE demo_payment.status END,
    error_code = CASE WHEN demo_payment.status IN ('requires_payment_method', 'requires_action')
                      THEN EXCLUDED.error_code ELSE demo_payment.error_code END
RETURNING *

-- name: demo_bank_check
-- The guest answered the demo bank's check of an authorisation: passed, the money is
-- reserved (to be captured with the booking); cancelled, the card must be tried again.
UPDATE demo_payment
SET status = CASE WHEN %(passed)s THEN 'requires_capture' ELSE 'requires_payment_method' END,
    error_code = CASE WHEN %(passed)s THEN NULL ELSE 'authentication_failed' END
WHERE id = %(id)s AND status = 'requires_action' AND hold_id IS NOT NULL
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
-- As Stripe: one refund per idempotency key; asked again, it is answered, not made twice.
WITH asked AS (
    INSERT INTO demo_refund (idempotency_key, payment_id, amount)
    SELECT %(key)s, id, %(amount)s FROM demo_payment WHERE id = %(id)s AND status = 'succeeded'
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING amount)
UPDATE demo_payment
SET amount_refunded = least(amount_received,
                            amount_refunded + coalesce((SELECT amount FROM asked), 0))
WHERE id = %(id)s AND status = 'succeeded'
RETURNING *

-- name: demo_payments_page
-- One page of the ledger as Stripe lists PaymentIntents: created in (created_after,
-- created_until], newest first, after the payment `starting_after`; one more row than
-- `limit` says whether there is more.
SELECT * FROM demo_payment
WHERE created_at > to_timestamp(%(created_after)s)
  AND created_at <= to_timestamp(%(created_until)s)
  AND (%(starting_after)s::text IS NULL
       OR (created_at, id) < (SELECT created_at, id FROM demo_payment
                              WHERE id = %(starting_after)s::text))
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s + 1

-- name: reservation_for_payment
SELECT r.id, r.property_id, r.status::text AS status, r.version, r.reference, r.guest,
       r.quote, r.payment_provider, r.payment_ref, r.payment_status, r.payment_captured_at,
       lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults, r.children,
       r.hold_expires_at, r.hold_expires_at <= innkeep_now(r.property_id) AS lapsed,
       rt.slug AS room_type, rt.name AS room_type_name, p.slug AS property_slug,
       p.currency, r.payment_terms, r.customer_ref, r.payment_method_ref,
       (SELECT jsonb_agg(m.quote ORDER BY m.group_position) FROM reservation m
        WHERE m.group_id = r.id) AS group_quotes
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
WHERE id = %(id)s AND status = 'held' AND hold_expires_at > innkeep_now(property_id)
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
        THEN greatest(hold_expires_at, innkeep_now(property_id) + make_interval(secs => %(grace_seconds)s))
        ELSE hold_expires_at END
WHERE id = %(id)s AND version = %(version)s AND status = 'held'
  AND hold_expires_at > innkeep_now(property_id)
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
SET payment_status = 'captured',
    payment_captured_at = coalesce(payment_captured_at, innkeep_now(property_id)),
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
       AS cancellation_policy, p.time_zone, p.rate_plans, p.extras, r.payment_status,
       group_rooms(r) AS group_rooms,
       r.payment_terms
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.id = %(id)s

-- name: enqueue_message
-- The deployment's clock (for every outbox query): e-mails go out in the workers' real time.
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
-- A stay paid at the property has no payment to capture (at most a saved card).
-- The deployment's clock: quiet is real time (updated_at is now()).
SELECT id FROM reservation
WHERE payment_ref IS NOT NULL AND payment_captured_at IS NULL
  AND NOT coalesce((quote->>'pay_at_property')::boolean, false)
  AND (status = 'confirmed' OR coalesce(payment_status, '') NOT IN ('canceled', 'refunded'))
  AND updated_at <= innkeep_now() - make_interval(secs => %(quiet_seconds)s)
ORDER BY updated_at
LIMIT %(limit)s

-- name: clock_seconds
-- The database's clock (the one every worker shares) as Unix seconds.
SELECT extract(epoch FROM innkeep_now())::bigint AS now

-- name: payment_claims
-- Whether a reservation points to a listed payment, and whether the hold it was made for is
-- still open (its checkout may be about to store it, or its guest to authorise it).
SELECT EXISTS (SELECT 1 FROM reservation WHERE payment_ref = %(payment_ref)s) AS pointed,
       EXISTS (SELECT 1 FROM reservation
               WHERE id = %(hold_id)s AND status = 'held'
                 AND hold_expires_at > innkeep_now(property_id)) AS open

-- name: captures_unaccounted
-- Of these captured payments, those Postgres knows nothing of: no reservation points to one
-- (a booking, or a row the settling of unsettled payments books or refunds), and the
-- reconciler has not dealt with it before. One query for a whole listing.
SELECT p.ref AS payment_ref
FROM unnest(%(refs)s::text[]) AS p (ref)
WHERE NOT EXISTS (SELECT 1 FROM reservation r WHERE r.payment_ref = p.ref)
  AND NOT EXISTS (SELECT 1 FROM payment_recovery k
                  WHERE k.payment_ref = p.ref AND k.outcome IS NOT NULL)

-- name: attach_payment
-- A captured payment whose hold lost it (a failover took the checkout's write with the
-- booking): it goes back on the hold, which settling then books or refunds. Never on a
-- booking or a block, and never over another payment.
UPDATE reservation
SET payment_provider = %(provider)s, payment_ref = %(payment_ref)s, version = version + 1,
    updated_at = now()
WHERE id = %(id)s AND payment_ref IS NULL AND status IN ('held', 'expired', 'cancelled')
RETURNING id

-- name: payment_refunding
-- About to refund a captured payment no booking kept: written ahead of the refund (and
-- fencing out a confirmation that read the row before), so this hold is never booked on this
-- payment afterwards, even if the worker dies mid-refund. Returns the row while the refund
-- is still to be made or finished; nothing once it is booked or refunded.
UPDATE reservation
SET payment_status = 'refunding', updated_at = now(),
    version = version + CASE WHEN payment_status = 'refunding' THEN 0 ELSE 1 END
WHERE id = %(id)s AND payment_ref = %(payment_ref)s AND status <> 'confirmed'
  AND coalesce(payment_status, '') <> 'refunded'
RETURNING id

-- name: payment_refunded
-- The refund is made: noted once, with a line in the owner's console history; returns what
-- the owner's e-mail says (nothing when another call noted it first). A hold still open
-- ends now: its payment is gone, so it keeps no nights from other guests.
WITH done AS (
    UPDATE reservation
    SET payment_status = 'refunded', updated_at = now(), version = version + 1,
        status = CASE WHEN status = 'held' THEN 'cancelled' ELSE status END,
        cancelled_at = CASE WHEN status = 'held' THEN innkeep_now(property_id)
                            ELSE cancelled_at END
    WHERE id = %(id)s AND payment_ref = %(payment_ref)s AND payment_status = 'refunding'
    RETURNING id, property_id, lower(stay) AS check_in, upper(stay) AS check_out, guest
), noted AS (
    INSERT INTO console_event (property_id, reservation_id, actor, action, detail)
    SELECT property_id, id, 'innkeep', 'payment_refunded', %(detail)s FROM done
)
SELECT d.check_in, d.check_out, d.guest->>'name' AS guest_name,
       d.guest->>'email' AS guest_email, p.contact_email, p.currency
FROM done d JOIN property p ON p.id = d.property_id

-- name: claim_capture_check
-- This reconciler checks a captured payment that no reservation points to, unless that is
-- done or another worker's lease on it has not lapsed: one decision per payment, whether it
-- goes back on its hold or is refunded.
INSERT INTO payment_recovery (payment_ref, hold_id, holder, until)
VALUES (%(payment_ref)s, %(hold_id)s, %(holder)s,
        clock_timestamp() + make_interval(secs => %(seconds)s))
ON CONFLICT (payment_ref) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
WHERE payment_recovery.outcome IS NULL AND payment_recovery.until < clock_timestamp()
RETURNING holder

-- name: capture_checked
-- The deployment's clock: a recovery's record, like its lease.
UPDATE payment_recovery SET outcome = %(outcome)s, settled_at = innkeep_now()
WHERE payment_ref = %(payment_ref)s AND holder = %(holder)s

-- name: release_capture_check
UPDATE payment_recovery SET until = clock_timestamp()
WHERE payment_ref = %(payment_ref)s AND holder = %(holder)s AND outcome IS NULL

-- name: claim_settling
-- This reconciler settles the reservation's payment for the next %(seconds)s seconds, unless
-- another holds a lease that has not lapsed (a lease of a worker that died lapses by itself).
INSERT INTO payment_settling (reservation_id, holder, until)
VALUES (%(id)s, %(holder)s, clock_timestamp() + make_interval(secs => %(seconds)s))
ON CONFLICT (reservation_id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
WHERE payment_settling.until < clock_timestamp()
RETURNING holder

-- name: release_settling
DELETE FROM payment_settling WHERE reservation_id = %(id)s AND holder = %(holder)s

-- name: cancel_unpaid_booking
-- A booking whose payment can no longer be captured (the authorisation lapsed): no booking
-- without a captured payment.
UPDATE reservation
SET status = 'cancelled', payment_status = %(payment_status)s,
    cancelled_at = innkeep_now(property_id),
    version = version + 1, updated_at = now()
WHERE id = %(id)s AND status = 'confirmed' AND payment_captured_at IS NULL
RETURNING id

-- name: hold_ended_before
SELECT hold_expires_at IS NULL
       OR hold_expires_at <= innkeep_now(property_id) - make_interval(secs => %(seconds)s) AS old
FROM reservation WHERE id = %(id)s

-- name: booking_by_reference
SELECT r.id, r.reference, r.status::text AS status, r.version, r.booking_secret_hash,
       r.guest_key_hash,
       r.guest, r.quote, lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults,
       r.children, r.payment_provider, r.payment_ref, r.payment_status, r.cancelled_at,
       r.refund_amount, rt.slug AS room_type, rt.name AS room_type_name,
       EXISTS (SELECT 1 FROM booking_change c WHERE c.reservation_id = r.id) AS dates_changed,
       p.slug AS property_slug, p.name AS property_name, p.currency,
       coalesce(r.cancellation_policy, p.cancellation_policy) AS cancellation_policy,
       p.rate_plans, p.extras, r.payment_terms, r.customer_ref, r.payment_method_ref,
       -- The balance charged after booking (its amount, day and state), if any.
       (SELECT jsonb_build_object('amount', c.amount, 'due_on', c.due_on, 'status', c.status)
        FROM booking_charge c WHERE c.reservation_id = r.id AND c.kind = 'balance') AS balance,
       booking_paid(r) AS paid,  -- what was taken for the booking (migration 0026)
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today,
       EXISTS (SELECT 1 FROM booking_charge c WHERE c.reservation_id = r.id
               AND c.kind = 'balance' AND c.status = 'succeeded') AS balance_taken,
       (SELECT jsonb_agg(m.quote ORDER BY m.group_position) FROM reservation m
        WHERE m.group_id = r.id) AS group_quotes,
       group_rooms(r) AS group_rooms
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.reference = %(reference)s

-- name: cancel_booking
-- Fenced by version: two clicks on "cancel" cancel once.
UPDATE reservation
SET status = 'cancelled', cancelled_at = innkeep_now(property_id), refund_amount = %(refund)s,
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
-- A group's first room carries the one payment for every room: a room cancelled alone is
-- refunded from it, and what such rooms got back is no longer there for the others.
SELECT b.payment_ref, r.refund_amount,
       -- A change of dates' refund the provider refused is still in the payment (0037).
       (CASE WHEN r.group_id IS NULL
             THEN coalesce(r.first_payment, (r.quote->>'due_now')::bigint) + refunds_not_made(r)
             -- Once the console changed the group's dates, its first room keeps what
             -- the payment holds (the rooms' quotes no longer say it).
             ELSE coalesce((SELECT g.first_payment + refunds_not_made(g) FROM reservation g
                            WHERE g.id = r.group_id),
                           (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                            WHERE m.group_id = r.group_id))
                  - (SELECT coalesce(sum(m.refund_amount), 0) FROM reservation m
                     WHERE m.group_id = r.group_id AND m.id <> r.group_id AND m.id <> r.id
                       AND m.status = 'cancelled')
        END)::bigint AS first_payment
FROM reservation r JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
WHERE r.id = %(id)s

-- name: charges_paid
-- The later charges actually taken for a booking (its balance, a no-show fee), newest first:
-- a refund gives back from these before the first payment.
SELECT id, payment_ref, amount FROM booking_charge
WHERE reservation_id = %(id)s AND status = 'succeeded'
ORDER BY created_at DESC

-- name: cancel_group_room
-- One room of a group cancelled alone, with what its policy gives back and what it keeps of
-- what was taken for the room (migration 0037); the booking's first room (which the page
-- read, fenced by its version) is changed too, so stale pages refuse.
WITH lead AS (
    UPDATE reservation SET version = version + 1, updated_at = now()
    WHERE id = %(group_id)s AND version = %(version)s AND status = 'confirmed'
    RETURNING id)
UPDATE reservation r
SET status = 'cancelled', cancelled_at = innkeep_now(r.property_id), refund_amount = %(refund)s,
    room_kept = %(kept)s,
    payment_status = CASE WHEN %(refund)s > 0 THEN 'refund_pending' END,
    version = r.version + 1, updated_at = now()
FROM lead
WHERE r.id = %(id)s AND r.group_id = lead.id AND r.id <> lead.id AND r.status = 'confirmed'
RETURNING r.id

-- name: lessen_balance
-- A room cancelled alone no longer owes its balance: the group's one charge is lessened
-- while it is only scheduled and no worker is taking it (else nothing changes: refused).
-- The lease is the workers' real time: the deployment's clock.
UPDATE booking_charge
SET amount = CASE WHEN amount > %(by)s THEN amount - %(by)s ELSE amount END,
    status = CASE WHEN amount > %(by)s THEN status ELSE 'canceled' END,
    updated_at = now()
WHERE reservation_id = %(id)s AND kind = 'balance' AND status = 'scheduled'
  AND (leased_until IS NULL OR leased_until <= innkeep_now())
RETURNING id

-- name: room_owes_nothing
-- A room cancelled alone whose owed part came off the group's balance (migration 0036).
UPDATE reservation SET room_owed = 0 WHERE id = %(id)s AND room_owed IS NOT NULL

-- name: change_owed
-- What a change of dates still waits to take for the group (its saved card, its link).
SELECT coalesce(sum(amount), 0)::bigint AS owed FROM booking_charge
WHERE reservation_id = %(id)s AND kind = 'change'
  AND status IN ('scheduled', 'requires_action', 'balance_due')

-- name: balance_state
SELECT status FROM booking_charge WHERE reservation_id = %(id)s AND kind = 'balance'

-- name: cancel_charges
-- A cancelled booking's scheduled balance is never charged. A charge a worker is taking at
-- this very moment is refunded by that worker when it finds the charge cancelled.
-- Returns the payments that were waiting for the guest, to be cancelled at the provider.
WITH old AS (
    SELECT id, status, payment_ref FROM booking_charge
    WHERE reservation_id = %(id)s AND status IN ('scheduled', 'requires_action', 'balance_due')
    FOR UPDATE)
UPDATE booking_charge c SET status = 'canceled', updated_at = now()
FROM old WHERE c.id = old.id
RETURNING c.id, old.status AS was, c.payment_ref

-- name: demo_customer
-- A checkout tried again with another card keeps the customer and saves that card.
INSERT INTO demo_customer (id, idempotency_key, scenario)
VALUES (%(id)s, %(key)s, %(scenario)s)
ON CONFLICT (idempotency_key) DO UPDATE SET scenario = EXCLUDED.scenario
RETURNING id, scenario

-- name: demo_scenario
SELECT scenario FROM demo_customer WHERE id = %(customer)s

-- name: demo_set_customer
UPDATE demo_payment SET customer = %(customer)s WHERE id = %(id)s RETURNING *

-- name: demo_charge_saved
-- An off-session charge of the saved test card: the same key gives the same outcome.
INSERT INTO demo_payment (id, idempotency_key, hold_id, amount, currency, status,
                          amount_received, customer, error_code)
VALUES (%(id)s, %(key)s, NULL, %(amount)s, %(currency)s, %(status)s,
        CASE WHEN %(status)s = 'succeeded' THEN %(amount)s ELSE 0 END, %(customer)s,
        %(error_code)s)
ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
RETURNING *

-- name: demo_authenticate
-- The guest passed the bank's check on the link we sent: the payment goes through.
UPDATE demo_payment
SET status = 'succeeded', amount_received = amount, error_code = NULL
WHERE id = %(id)s AND status = 'requires_action'
RETURNING *

-- name: store_customer
-- Checkout of a deposit: the guest's customer (whose card the balance is charged to) and
-- the consent they were shown, kept with the hold and so with the booking.
UPDATE reservation SET customer_ref = %(customer_ref)s, payment_consent = %(consent)s
WHERE id = %(id)s AND status = 'held'

-- name: schedule_balance
-- With the booking, in its transaction: the balance, charged from the morning of its day
-- in the property's time zone. At most one per booking (booking_charge_one_balance).
INSERT INTO booking_charge (id, reservation_id, kind, amount, currency, due_on, next_try_at)
SELECT %(charge_id)s, r.id, 'balance', %(amount)s, p.currency, %(due_on)s,
       (%(due_on)s::date + time '06:00') AT TIME ZONE p.time_zone
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.id = %(id)s
ON CONFLICT DO NOTHING

-- name: keep_saved_card
UPDATE reservation
SET payment_method_ref = coalesce(%(payment_method)s, payment_method_ref),
    customer_ref = coalesce(customer_ref, %(customer)s)
WHERE id = %(id)s

-- name: claim_due_charge
-- One due charge for this worker: the row lock lasts only this statement (SKIP LOCKED lets
-- the other workers pass by), the lease keeps it ours while we call the provider with no
-- transaction open. A lease that ran out (a worker died mid-call) is taken over; the
-- attempt's idempotency key makes the provider answer the first call's outcome.
-- The lease is the workers' real time: the deployment's clock.
UPDATE booking_charge c
SET leased_until = innkeep_now() + make_interval(secs => %(lease_seconds)s), updated_at = now()
FROM reservation r
WHERE c.id = (
        SELECT d.id FROM booking_charge d
        JOIN reservation h ON h.id = d.reservation_id
        -- Due by the property's clock (a test property's may be moved forward).
        WHERE d.status = 'scheduled' AND d.next_try_at <= innkeep_now(h.property_id)
          AND (d.leased_until IS NULL OR d.leased_until <= innkeep_now())
        ORDER BY d.next_try_at
        LIMIT 1
        FOR UPDATE OF d SKIP LOCKED)
  AND r.id = c.reservation_id
RETURNING c.id, c.reservation_id, c.kind, c.amount, c.currency, c.tries, c.reason,
          r.status::text AS booking_status, r.reference, r.customer_ref,
          r.payment_method_ref

-- name: open_attempt
-- The attempt this round makes: the pending one a time-out left (its key again), or the next.
INSERT INTO charge_attempt (charge_id, attempt, idempotency_key)
VALUES (%(charge_id)s, %(attempt)s, %(key)s)
ON CONFLICT (charge_id, attempt) DO NOTHING

-- name: attempt_done
UPDATE charge_attempt SET status = %(status)s, payment_ref = %(payment_ref)s,
       error_code = %(error_code)s
WHERE charge_id = %(charge_id)s AND attempt = %(attempt)s

-- name: charge_succeeded
-- Only a charge still wanted is marked paid; a cancelled booking's charge is refunded. The
-- same payment noted again (a worker whose lease ran out mid-call got the provider's replay
-- of the first answer) is no new payment: it changes nothing and is kept.
-- ``first`` says whether this call took it (the guest's receipt is written once).
WITH before AS (SELECT id, status FROM booking_charge WHERE id = %(id)s FOR UPDATE)
UPDATE booking_charge c
SET status = 'succeeded', payment_ref = %(payment_ref)s,
    tries = c.tries + CASE WHEN c.status = 'succeeded' THEN 0 ELSE 1 END,
    leased_until = NULL, last_error = NULL, updated_at = now()
FROM before
WHERE c.id = before.id
  AND (c.status IN ('scheduled', 'requires_action', 'balance_due')
       OR (c.status = 'succeeded' AND c.payment_ref = %(payment_ref)s))
RETURNING c.id, c.kind, c.amount, before.status <> 'succeeded' AS first

-- name: charge_taken_late
-- A charge the provider took when it was no longer wanted (its booking cancelled, or a
-- change of dates dropped it, while a worker was taking it): its payment and what that
-- took, and that it is being given back, written before the refund is asked (the payment
-- is never lost from sight). Nothing for a charge already noted so (a replay).
UPDATE booking_charge
SET status = 'refunding', payment_ref = %(payment_ref)s, amount = %(amount)s,
    taken_at = now(), leased_until = NULL, updated_at = now()
WHERE id = %(id)s AND status = 'canceled'
RETURNING id

-- name: charge_given_back
UPDATE booking_charge
SET status = 'refunded', last_error = NULL, refund_ref = %(refund_ref)s, updated_at = now()
WHERE id = %(id)s AND status = 'refunding'

-- name: charge_not_given_back
-- The provider did not answer: asked again later, after the others waiting (updated_at).
UPDATE booking_charge
SET refund_tries = refund_tries + 1, last_error = %(error)s, updated_at = now()
WHERE id = %(id)s AND status = 'refunding'
RETURNING refund_tries

-- name: charges_to_give_back
-- Refunds of charges taken late that were not answered, the longest waiting first; the
-- deployment's clock (updated_at is now()).
SELECT id, payment_ref, amount FROM booking_charge
WHERE status = 'refunding' AND updated_at <= innkeep_now() - interval '1 minute'
ORDER BY updated_at
LIMIT %(limit)s

-- name: charge_later
-- Not settled this round: try again at ``next_try_at`` (``finished``: the attempt ended, so
-- the next one gets a new key; a time-out keeps the attempt, and so its key). Due by the
-- property's clock, as claim_due_charge reads it.
UPDATE booking_charge
SET next_try_at = innkeep_now((SELECT r.property_id FROM reservation r
                               WHERE r.id = reservation_id))
                  + make_interval(secs => %(after_seconds)s),
    tries = tries + CASE WHEN %(finished)s THEN 1 ELSE 0 END,
    leased_until = NULL, last_error = %(error)s, updated_at = now()
WHERE id = %(id)s AND status = 'scheduled'

-- name: charge_stopped
-- Declined for good (``balance_due``) or waiting for the guest (``requires_action``).
UPDATE booking_charge
SET status = %(status)s, payment_ref = coalesce(%(payment_ref)s, payment_ref),
    tries = tries + 1, leased_until = NULL, last_error = %(error)s, updated_at = now()
WHERE id = %(id)s AND status = 'scheduled'
RETURNING id

-- name: booking_payment_status
UPDATE reservation SET payment_status = %(payment_status)s, updated_at = now()
WHERE id = %(id)s AND status = 'confirmed'

-- name: charge_by_id
SELECT c.id, c.reservation_id, c.kind, c.amount, c.currency, c.status, c.payment_ref,
       c.due_on, r.reference, r.status::text AS booking_status
FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id
WHERE c.id = %(id)s

-- name: charge_by_payment
-- The later charge a PaymentIntent belongs to (a webhook about a balance).
SELECT c.id, c.reservation_id, c.kind, c.amount, c.currency, c.status, c.payment_ref,
       c.due_on, r.reference, r.status::text AS booking_status
FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id
WHERE c.payment_ref = %(payment_ref)s

-- name: open_payment_link
-- A private link for one purpose; it ends ``days`` from now by the property's clock.
INSERT INTO payment_link (id, reservation_id, charge_id, purpose, token_hash, expires_at)
SELECT %(id)s, r.id, %(charge_id)s, %(purpose)s, %(token_hash)s,
       innkeep_now(r.property_id) + make_interval(days => %(days)s)
FROM reservation r WHERE r.id = %(reservation_id)s

-- name: payment_link
-- A link with what its page shows: the booking, and the charge it pays (if any).
SELECT l.id, l.reservation_id, l.charge_id, l.purpose, l.token_hash, l.setup_ref,
       l.done_at, l.expires_at, l.expires_at <= innkeep_now(r.property_id) AS expired,
       r.reference, r.status::text AS booking_status, r.customer_ref, r.payment_method_ref,
       r.guest->>'language' AS language, p.name AS property_name, p.currency,
       c.amount, c.due_on, c.status AS charge_status, c.payment_ref
FROM payment_link l
JOIN reservation r ON r.id = l.reservation_id
JOIN property p ON p.id = r.property_id
LEFT JOIN booking_charge c ON c.id = l.charge_id
WHERE l.id = %(id)s

-- name: charge_link
-- The charge API's check of a key: a link of that charge for paying it.
SELECT l.expires_at <= innkeep_now(r.property_id) AS expired
FROM payment_link l JOIN reservation r ON r.id = l.reservation_id
WHERE l.charge_id = %(charge_id)s AND l.token_hash = %(token_hash)s
  AND l.purpose IN ('authenticate', 'pay_balance')

-- name: keep_link_setup
-- A card update's SetupIntent, kept once (a second page view reuses the first).
UPDATE payment_link SET setup_ref = coalesce(setup_ref, %(setup_ref)s)
WHERE id = %(id)s
RETURNING setup_ref

-- name: payment_link_done
UPDATE payment_link
SET done_at = coalesce(done_at, innkeep_now((SELECT r.property_id FROM reservation r
                                             WHERE r.id = reservation_id)))
WHERE id = %(id)s

-- name: demo_start_payment
-- A payment the guest makes on their link: waits for their card (the same key, the same one).
INSERT INTO demo_payment (id, idempotency_key, hold_id, amount, currency, status, customer)
VALUES (%(id)s, %(key)s, NULL, %(amount)s, %(currency)s, 'requires_payment_method',
        %(customer)s)
ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
RETURNING *

-- name: keep_guest_payment
-- A charge the guest pays on their link that had no payment yet: the one made for it.
UPDATE booking_charge SET payment_ref = coalesce(payment_ref, %(payment_ref)s),
       updated_at = now()
WHERE id = %(id)s AND status = 'balance_due'
RETURNING payment_ref

-- name: keep_link_token
-- For callers that link to /pay/{charge id}: that charge's own link, to pay it (the bank's
-- check while it waits for one, else another card); a new key replaces the old one.
INSERT INTO payment_link (id, reservation_id, charge_id, purpose, token_hash, expires_at)
SELECT c.id, c.reservation_id, c.id,
       CASE WHEN c.status = 'requires_action' THEN 'authenticate' ELSE 'pay_balance' END,
       %(token_hash)s, innkeep_now(r.property_id) + interval '14 days'
FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id
WHERE c.id = %(id)s
ON CONFLICT (id) DO UPDATE
SET token_hash = EXCLUDED.token_hash, purpose = EXCLUDED.purpose,
    expires_at = EXCLUDED.expires_at, done_at = NULL

-- name: demo_pay_with_card
-- The guest pays a waiting demo payment on the link with a test card: it goes through
-- (once) unless the card declines.
UPDATE demo_payment
SET status = 'succeeded', amount_received = amount, error_code = NULL
WHERE id = %(id)s AND status IN ('requires_payment_method', 'requires_action')
RETURNING *

-- name: demo_save_card
-- A new test card saved on the demo customer: it decides what charging it later does.
UPDATE demo_customer SET scenario = %(scenario)s WHERE id = %(customer)s
RETURNING id

-- name: charges_awaiting_guest
-- The deployment's clock: quiet is real time (updated_at is now()).
SELECT id FROM booking_charge
WHERE status = 'requires_action'
  AND updated_at <= innkeep_now() - make_interval(secs => %(quiet_seconds)s)
LIMIT %(limit)s

-- name: no_show_target
SELECT r.id, r.reference, r.status::text AS status, r.quote, r.payment_terms,
       r.customer_ref, r.payment_method_ref, lower(r.stay) AS check_in,
       coalesce(r.cancellation_policy, p.cancellation_policy) AS cancellation_policy,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today,
       -- A group: its rooms still booked (a room cancelled alone has no guests to miss).
       (SELECT jsonb_agg(m.quote ORDER BY m.group_position) FROM reservation m
        WHERE m.group_id = r.id AND m.status = 'confirmed') AS group_quotes
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.reference = %(reference)s

-- name: open_no_show
-- The owner's no-show fee: one per booking. Leased to the caller, who charges it at once
-- (the balance job leaves it alone while the lease lasts, then retries it under its key).
-- Due by the property's clock; the lease is the workers' real time, the deployment's clock.
INSERT INTO booking_charge (id, reservation_id, kind, amount, currency, due_on, next_try_at,
                            reason, leased_until)
SELECT %(charge_id)s, r.id, 'no_show', %(amount)s, p.currency,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date, innkeep_now(p.id), %(reason)s,
       innkeep_now() + make_interval(secs => %(lease_seconds)s)
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.id = %(id)s
ON CONFLICT (reservation_id, kind) WHERE kind <> 'change' DO NOTHING
RETURNING id

-- name: charge_to_take
SELECT c.id, c.reservation_id, c.kind, c.amount, c.currency, c.tries, c.reason, c.status,
       r.status::text AS booking_status, r.reference, r.customer_ref, r.payment_method_ref
FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id
WHERE c.reservation_id = %(id)s AND c.kind = %(kind)s

-- name: balances_to_remind
-- A week before its day, once: the guest is told what will be charged, and when (marked
-- here, in the transaction that writes the e-mail; SKIP LOCKED keeps workers apart).
UPDATE booking_charge c
SET reminded_at = innkeep_now((SELECT r.property_id FROM reservation r
                               WHERE r.id = c.reservation_id))
WHERE c.id IN (
        SELECT d.id FROM booking_charge d
        JOIN reservation r ON r.id = d.reservation_id
        JOIN property p ON p.id = r.property_id
        WHERE d.kind = 'balance' AND d.status = 'scheduled' AND d.reminded_at IS NULL
          AND r.status = 'confirmed'
          AND d.due_on - 7 <= (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date
        LIMIT %(limit)s
        FOR UPDATE OF d SKIP LOCKED)
RETURNING c.id, c.reservation_id, c.amount, c.due_on

-- name: claim_balance_now
-- The owner charges a deposit booking's balance before its day (the guest asked to settle
-- now): its scheduled charge, leased to the caller exactly as the job leases it (nothing
-- while a worker holds it, or once it is no longer scheduled). The lease is the workers'
-- real time: the deployment's clock.
UPDATE booking_charge c
SET leased_until = innkeep_now() + make_interval(secs => %(lease_seconds)s), updated_at = now()
FROM reservation r
WHERE r.reference = %(reference)s AND c.reservation_id = r.id AND c.kind = 'balance'
  AND c.status = 'scheduled' AND (c.leased_until IS NULL OR c.leased_until <= innkeep_now())
RETURNING c.id, c.reservation_id, c.kind, c.amount, c.currency, c.tries, c.reason,
          r.status::text AS booking_status, r.reference, r.customer_ref,
          r.payment_method_ref

-- name: record_guest_event
-- What the guest did themselves (on the manage page), in the booking's console history.
INSERT INTO console_event (property_id, reservation_id, actor, action, detail)
SELECT property_id, id, 'guest', %(action)s, %(detail)s FROM reservation WHERE id = %(id)s

-- name: claim_listing
-- This reconciler walks the provider's list of payments, unless another worker's lease on
-- the walk has not lapsed; the first walk starts `lookback` seconds back.
INSERT INTO payment_listing (provider, listing, checked_until, holder, until)
VALUES (%(provider)s, %(listing)s, %(start)s, %(holder)s,
        clock_timestamp() + make_interval(secs => %(seconds)s))
ON CONFLICT (provider, listing) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
WHERE payment_listing.until < clock_timestamp()
RETURNING checked_until, window_until, after_ref

-- name: advance_listing
-- Only by the lease's holder, after the payments it passes are settled; renews the lease.
UPDATE payment_listing
SET checked_until = %(checked_until)s, window_until = %(window_until)s,
    after_ref = %(after_ref)s, until = clock_timestamp() + make_interval(secs => %(seconds)s)
WHERE provider = %(provider)s AND listing = %(listing)s AND holder = %(holder)s
RETURNING 1 AS advanced

-- name: release_listing
UPDATE payment_listing SET until = clock_timestamp()
WHERE provider = %(provider)s AND listing = %(listing)s AND holder = %(holder)s

-- name: wait_for_payment
INSERT INTO payment_listing_wait (provider, payment_ref) VALUES (%(provider)s, %(payment_ref)s)
ON CONFLICT DO NOTHING

-- name: forget_waiting
DELETE FROM payment_listing_wait
WHERE provider = %(provider)s AND since < now() - make_interval(secs => %(seconds)s)
RETURNING payment_ref

-- name: payments_waiting
SELECT payment_ref FROM payment_listing_wait WHERE provider = %(provider)s
ORDER BY since, payment_ref LIMIT %(limit)s

-- name: payment_settled
DELETE FROM payment_listing_wait WHERE provider = %(provider)s AND payment_ref = %(payment_ref)s
