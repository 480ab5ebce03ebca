-- name: bookings_between
-- Bookings (confirmed, and cancelled ones when asked) with a night in [first, end), by arrival.
SELECT r.reference, r.status::text AS status, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, u.name AS unit, rt.name AS room_type, r.guest, r.adults,
       r.children, r.quote, r.refund_amount, p.currency,
       -- What was actually taken: the payment at booking and the later charges (balance).
       (r.quote->>'due_now')::bigint
       + coalesce((SELECT sum(c.amount) FROM booking_charge c
                   WHERE c.reservation_id = r.id AND c.status = 'succeeded'), 0)::bigint
       AS paid
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s
  AND r.reference IS NOT NULL
  AND r.status::text = ANY(%(statuses)s)
  AND r.stay && daterange(%(first)s, %(end)s)
ORDER BY lower(r.stay), u.name
