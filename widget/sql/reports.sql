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
-- A group's rooms are a line each, under the booking's reference, guest and payment (the
-- payment's amounts are each room's share; a refund shows with the first room).
SELECT b.reference, r.status::text AS status,
       (r.created_at AT TIME ZONE p.time_zone) AS booked_at,
       lower(r.stay) AS check_in, upper(r.stay) AS check_out, rt.slug AS room_type,
       u.name AS unit, b.guest, r.adults, r.children, r.quote, b.payment_provider,
       b.payment_ref, b.payment_status,
       (b.payment_captured_at AT TIME ZONE p.time_zone) AS captured_at,
       (r.cancelled_at AT TIME ZONE p.time_zone) AS cancelled_at,
       r.refund_amount, r.refund_ref, p.currency
FROM reservation r
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND b.reference IS NOT NULL
  AND r.status IN ('confirmed', 'cancelled')
  AND r.stay && daterange(%(first)s, %(end)s)
ORDER BY lower(r.stay), r.reference
