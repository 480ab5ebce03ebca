-- name: guest_property
SELECT p.id, p.slug, p.guest_retention_years,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today
FROM property p WHERE p.slug = %(slug)s

-- name: guest_reservations
-- Every reservation that holds this e-mail address, whatever became of it: a group's other
-- rooms too (their first room holds the guest; each keeps the client's address).
SELECT r.id, b.reference, r.status::text AS status, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, u.name AS unit, rt.slug AS room_type, r.adults, r.children,
       b.guest, r.promo_code, r.quote, b.payment_provider, b.payment_ref, b.payment_status,
       b.payment_captured_at, r.cancelled_at, r.refund_amount, r.client_address,
       r.created_at, r.guest_erased_at
FROM reservation r
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND b.guest IS NOT NULL
  AND lower(b.guest ->> 'email') = lower(%(email)s)
ORDER BY lower(r.stay), r.created_at

-- name: guest_messages
SELECT m.kind, m.recipient, m.subject, m.body_text, m.created_at, m.sent_at
FROM outbox_message m
WHERE m.reservation_id = ANY(%(ids)s)
ORDER BY m.created_at, m.id

-- name: erase_reservations
-- Personal fields anonymised; amounts, dates, party size and payment references kept for
-- the books. The language stays: it says nothing of who the guest was.
UPDATE reservation
SET guest = CASE WHEN guest IS NULL THEN NULL  -- a group's other room: its first holds it
               ELSE jsonb_build_object('name', 'erased guest', 'email', '',
                                       'language', coalesce(guest ->> 'language', 'en')) END,
    client_key = NULL, client_address = NULL, guest_erased_at = innkeep_now(property_id)
WHERE id = ANY(%(ids)s)
RETURNING id

-- name: erase_messages
UPDATE outbox_message
SET recipient = 'erased', subject = 'erased', body_text = '', body_html = ''
WHERE reservation_id = ANY(%(ids)s)

-- name: departed_beyond_retention
-- Reservations whose stay ended the property's retention years ago and still hold a guest.
SELECT r.id
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE p.guest_retention_years IS NOT NULL
  AND r.guest_erased_at IS NULL
  AND (r.guest IS NOT NULL OR r.client_address IS NOT NULL)
  AND upper(r.stay) <= ((innkeep_now(p.id) AT TIME ZONE p.time_zone)::date
                        - make_interval(years => p.guest_retention_years))::date
ORDER BY r.id
LIMIT %(limit)s
FOR UPDATE OF r SKIP LOCKED

-- name: set_retention
UPDATE property SET guest_retention_years = %(years)s, updated_at = now() WHERE id = %(id)s
