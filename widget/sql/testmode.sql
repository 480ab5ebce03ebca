-- name: mark_created_by_testing
UPDATE property SET created_by_testing = true WHERE slug = %(slug)s
RETURNING id, slug, name, allowed_origins

-- name: test_property
SELECT id, slug FROM property WHERE slug = %(slug)s AND created_by_testing

-- name: delete_outbox_of_property
DELETE FROM outbox_message
WHERE reservation_id IN (SELECT id FROM reservation WHERE property_id = %(property_id)s)

-- name: delete_demo_payments_of_property
DELETE FROM demo_payment
WHERE hold_id IN (SELECT id FROM reservation WHERE property_id = %(property_id)s)

-- name: delete_payment_links_of_property
DELETE FROM payment_link
WHERE reservation_id IN (SELECT id FROM reservation WHERE property_id = %(property_id)s)

-- name: delete_charge_attempts_of_property
DELETE FROM charge_attempt
WHERE charge_id IN (SELECT c.id FROM booking_charge c
                    JOIN reservation r ON r.id = c.reservation_id
                    WHERE r.property_id = %(property_id)s)

-- name: delete_charges_of_property
-- A booking's later charges (the balance, a no-show fee).
DELETE FROM booking_charge
WHERE reservation_id IN (SELECT id FROM reservation WHERE property_id = %(property_id)s)

-- name: delete_console_history_of_property
DELETE FROM console_event WHERE property_id = %(property_id)s

-- name: delete_reservations_of_property
DELETE FROM reservation WHERE property_id = %(property_id)s

-- name: delete_test_property
-- Room types, units, channels, feeds and webhooks go with it (ON DELETE CASCADE).
DELETE FROM property WHERE id = %(property_id)s AND created_by_testing

-- name: advance_property_clock
-- A new inventory version tells every worker to re-read: "today" and the holds have moved.
UPDATE property
SET clock_shift = clock_shift + make_interval(secs => %(seconds)s),
    inventory_version = inventory_version + 1
WHERE id = %(property_id)s AND created_by_testing
-- RETURNING sees the new shift; innkeep_now(id) would still read the row as it was.
RETURNING innkeep_now() + clock_shift AS now,
          ((innkeep_now() + clock_shift) AT TIME ZONE time_zone)::date AS today,
          extract(epoch FROM clock_shift)::bigint AS shift_seconds

-- name: property_outbox
SELECT m.id, m.kind, m.recipient, m.subject, m.body_text, m.created_at,
       m.sent_at IS NOT NULL AS sent, r.reference
FROM outbox_message m JOIN reservation r ON r.id = m.reservation_id
WHERE r.property_id = %(property_id)s
ORDER BY m.id
