-- name: report_nights
-- Per month and room type: the units' nights, those the owner blocked, those sold here
-- (confirmed bookings) and those imported from channels, for [first, end).
WITH month AS (
    SELECT m::date AS first, (m + interval '1 month')::date AS next
    FROM generate_series(%(first)s::date, %(end)s::date - 1, interval '1 month') AS m
),
unit_month AS (
    SELECT mo.first AS month, mo.next, rt.slug AS room_type, rt.position, u.id AS unit_id
    FROM month mo
    CROSS JOIN unit u
    JOIN room_type rt ON rt.id = u.room_type_id
    WHERE u.property_id = %(property_id)s AND u.active AND rt.active
)
SELECT um.month, um.room_type,
       sum(um.next - um.month) AS nights,
       sum(coalesce(taken.blocked, 0)) AS blocked,
       sum(coalesce(taken.booked, 0)) AS booked,
       sum(coalesce(taken.imported, 0)) AS imported
FROM unit_month um
LEFT JOIN LATERAL (
    SELECT sum(n) FILTER (WHERE r.status = 'blocked' AND r.source_channel_id IS NULL) AS blocked,
           sum(n) FILTER (WHERE r.status = 'confirmed') AS booked,
           sum(n) FILTER (WHERE r.status = 'blocked' AND r.source_channel_id IS NOT NULL)
               AS imported
    FROM reservation r
    CROSS JOIN LATERAL (
        SELECT upper(r.stay * daterange(um.month, um.next))
               - lower(r.stay * daterange(um.month, um.next)) AS n
    ) AS overlap
    WHERE r.unit_id = um.unit_id AND r.stay && daterange(um.month, um.next)
      AND r.status IN ('blocked', 'confirmed')
) AS taken ON true
GROUP BY um.month, um.room_type, um.position
ORDER BY um.month, um.position, um.room_type

-- name: report_bookings
-- Confirmed bookings with a night in [first, end), with their stored quotes.
SELECT r.reference, rt.slug AS room_type, r.quote
FROM reservation r
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND r.status = 'confirmed' AND r.quote IS NOT NULL
  AND r.stay && daterange(%(first)s, %(end)s)

-- name: report_channels
-- Stays arriving in [first, end): booked here (channel NULL, which the page calls "direct"
-- in the owner's language, so no channel's name is mistaken for it) or imported from each
-- channel (its units' feeds of one name together).
SELECT c.name AS channel, count(*) AS stays, sum(upper(r.stay) - lower(r.stay)) AS nights
FROM reservation r
LEFT JOIN channel c ON c.id = r.source_channel_id
WHERE r.property_id = %(property_id)s
  AND (r.status = 'confirmed' OR (r.status = 'blocked' AND r.source_channel_id IS NOT NULL))
  AND lower(r.stay) >= %(first)s AND lower(r.stay) < %(end)s
GROUP BY c.name
ORDER BY (c.name IS NOT NULL), c.name

-- name: report_lead_times
-- Direct bookings arriving in [first, end) by days between booking and arrival (in the
-- property's time zone).
SELECT CASE
         WHEN lead < 1 THEN 0
         WHEN lead <= 7 THEN 1
         WHEN lead <= 30 THEN 2
         WHEN lead <= 90 THEN 3
         ELSE 4
       END AS bucket,
       count(*) AS bookings
FROM (
    SELECT lower(r.stay) - (r.created_at AT TIME ZONE p.time_zone)::date AS lead
    FROM reservation r JOIN property p ON p.id = r.property_id
    WHERE r.property_id = %(property_id)s AND r.status = 'confirmed' AND r.reference IS NOT NULL
      AND lower(r.stay) >= %(first)s AND lower(r.stay) < %(end)s
) AS booked
GROUP BY bucket ORDER BY bucket

-- name: ledger_bookings
-- Every booking made here with a night in [first, end), cancelled ones included, by arrival.
-- A group's rooms are a line each, under the booking's reference, guest and payment.
-- The money is what the console's booking page says (migrations 0026, 0036, 0037), never
-- the quote's due_now (a change of dates, a desk booking, a balance, a refund all differ):
--   paid:  what was actually taken online and not given back by a change of dates (a
--          refund the provider refused is still held): booking_paid for a booking of one
--          room; for a group's room, room_paid (for a room cancelled alone: what was
--          taken for it when it was cancelled, what it kept and its refund; 0038);
--   owed_online: on the booking's first (or only) line, what is still to be taken online
--          (a balance not yet charged, a change of dates' difference waiting for the card
--          or the link); NULL on a group's other lines.
SELECT b.reference, r.status::text AS status,
       (r.created_at AT TIME ZONE p.time_zone) AS booked_at,
       lower(r.stay) AS check_in, upper(r.stay) AS check_out, rt.slug AS room_type,
       u.name AS unit, b.guest, r.adults, r.children, r.quote, b.payment_provider,
       b.payment_ref, b.payment_status,
       (b.payment_captured_at AT TIME ZONE p.time_zone) AS captured_at,
       (r.cancelled_at AT TIME ZONE p.time_zone) AS cancelled_at,
       r.refund_amount, r.refund_ref, p.currency,
       (CASE WHEN r.group_id IS NULL THEN booking_paid(r) ELSE room_paid(r) END)::bigint
           AS paid,
       r.room_kept AS kept,
       CASE WHEN r.id = b.id THEN
           (SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
            WHERE c.reservation_id = b.id AND c.kind IN ('balance', 'change')
              AND c.status IN ('scheduled', 'requires_action', 'balance_due'))::bigint
       END AS owed_online
FROM reservation r
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND b.reference IS NOT NULL
  AND r.status IN ('confirmed', 'cancelled')
  AND r.stay && daterange(%(first)s, %(end)s)
ORDER BY lower(r.stay), b.reference, coalesce(r.group_position, 0)

-- name: ledger_movements
-- Every movement of money for the bookings of ledger_bookings, by booking then time: the
-- payment at booking (what it took, before any change of dates gave part of it back), the
-- refunds changes of dates made or asked for (the provider may have refused one: status
-- 'refused', still held), the later charges that went through (a balance, a change of
-- dates' difference, a no-show fee), and the refunds of a cancellation (the booking's, or
-- a room cancelled alone). Amounts in minor units, refunds negative. What went through
-- adds up to what the bookings' lines say was paid online less what they say was refunded.
WITH booked AS (
    SELECT DISTINCT b.id, b.reference, lower(b.stay) AS check_in, p.time_zone, p.currency
    FROM reservation r
    JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
    JOIN property p ON p.id = r.property_id
    WHERE r.property_id = %(property_id)s AND b.reference IS NOT NULL
      AND r.status IN ('confirmed', 'cancelled')
      AND r.stay && daterange(%(first)s, %(end)s)
),
moved AS (
    -- The payment at booking: what it took (first_payment_taken, written by the first
    -- change of dates), else what it holds (first_payment, else the quotes' due_now); a
    -- refused refund is still in it (0037). Nothing for a stay paid at the property.
    SELECT k.reference, k.check_in, k.currency, 'payment' AS kind,
           (coalesce(b.payment_captured_at, b.created_at) AT TIME ZONE k.time_zone) AS at,
           coalesce(b.first_payment_taken,
                    coalesce(b.first_payment,
                             (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                              WHERE m.group_id = b.id),
                             (b.quote->>'due_now')::bigint)
                    + refunds_not_made(b))::bigint AS amount,
           b.payment_provider AS provider, b.payment_ref AS provider_ref,
           CASE WHEN b.payment_captured_at IS NOT NULL THEN 'succeeded'
                ELSE b.payment_status END AS status
    FROM booked k JOIN reservation b ON b.id = k.id
    WHERE b.payment_provider IS DISTINCT FROM 'property' AND b.payment_ref IS NOT NULL
    UNION ALL
    -- A change of dates' refund from that payment. Listed only once the payment's full
    -- amount is known (first_payment_taken): before 0037 the payment row says what it holds.
    SELECT k.reference, k.check_in, k.currency, 'change_refund',
           (c.created_at AT TIME ZONE k.time_zone), -c.amount, b.payment_provider,
           coalesce(c.payment_ref, b.payment_ref),
           CASE c.status WHEN 'done' THEN 'refunded' WHEN 'failed' THEN 'refused'
                ELSE c.status END
    FROM booked k JOIN reservation b ON b.id = k.id
    JOIN booking_change c ON c.reservation_id = b.id
    WHERE c.settlement = 'refund' AND c.amount > 0 AND b.first_payment_taken IS NOT NULL
    UNION ALL
    -- The charges after booking that went through; those taken when no longer wanted (the
    -- booking cancelled, or a change of dates dropped them) too, each with the refund that
    -- gives it back (0039).
    SELECT k.reference, k.check_in, k.currency,
           CASE c.kind WHEN 'change' THEN 'change_charge' WHEN 'no_show' THEN 'no_show_fee'
                ELSE c.kind END,
           (coalesce(c.taken_at, c.updated_at) AT TIME ZONE k.time_zone), c.amount,
           b.payment_provider,
           c.payment_ref, 'succeeded'
    FROM booked k JOIN reservation b ON b.id = k.id
    JOIN booking_charge c ON c.reservation_id = b.id
    WHERE c.status IN ('succeeded', 'refunding', 'refunded')
    UNION ALL
    SELECT k.reference, k.check_in, k.currency, 'charge_refund',
           (c.updated_at AT TIME ZONE k.time_zone), -c.amount, b.payment_provider,
           coalesce(c.refund_ref, c.payment_ref),
           CASE c.status WHEN 'refunded' THEN 'refunded' ELSE 'pending' END
    FROM booked k JOIN reservation b ON b.id = k.id
    JOIN booking_charge c ON c.reservation_id = b.id
    WHERE c.status IN ('refunding', 'refunded')
    UNION ALL
    -- What a cancellation gave back: the booking's, or a room's cancelled alone.
    SELECT k.reference, k.check_in, k.currency, 'refund',
           (r.cancelled_at AT TIME ZONE k.time_zone), -r.refund_amount, b.payment_provider,
           coalesce(r.refund_ref, b.payment_ref),
           CASE WHEN r.refund_ref IS NOT NULL THEN 'refunded' ELSE 'pending' END
    FROM booked k JOIN reservation b ON b.id = k.id
    JOIN reservation r ON r.id = b.id OR r.group_id = b.id
    WHERE r.status = 'cancelled' AND r.refund_amount > 0
)
SELECT reference, kind, at, amount, currency, provider, provider_ref, status
FROM moved
WHERE amount <> 0  -- a payment at booking of nothing: a stay paid at the property
-- The payment at booking first and a cancellation's refunds last, whatever the clocks say.
ORDER BY check_in, reference,
         CASE kind WHEN 'payment' THEN 0 WHEN 'refund' THEN 2 ELSE 1 END, at,
         kind = 'charge_refund', kind
