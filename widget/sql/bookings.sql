-- name: bookings_between
-- Bookings (confirmed, and cancelled ones when asked) with a night in [first, end), by arrival.
-- A group's rooms are listed one by one under the booking's reference and guest (its first
-- room carries them); each shows what was taken for it (room_paid, migration 0026): its
-- share of the one payment once captured, and its own balance once the group's one balance
-- charge went through. Any other charge (a no-show fee) is the booking's and shows with its
-- first room.
SELECT b.reference, r.status::text AS status, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, u.name AS unit, rt.name AS room_type, b.guest, r.adults,
       r.children, r.quote, r.refund_amount, p.currency, room_paid(r) AS paid
FROM reservation r
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s
  AND b.reference IS NOT NULL
  AND r.status::text = ANY(%(statuses)s)
  AND r.stay && daterange(%(first)s, %(end)s)
ORDER BY lower(r.stay), u.name
