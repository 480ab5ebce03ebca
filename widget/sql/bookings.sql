-- name: bookings_between
-- Bookings (confirmed, and cancelled ones when asked) with a night in [first, end), by arrival.
-- A group's rooms are listed one by one under the booking's reference and guest (its first
-- room carries them); each shows what was paid for it: its share of the one payment, and its
-- own balance once the group's one balance charge went through. Any other charge (a no-show
-- fee) is the booking's and shows with its first room.
SELECT b.reference, r.status::text AS status, lower(r.stay) AS check_in,
       upper(r.stay) AS check_out, u.name AS unit, rt.name AS room_type, b.guest, r.adults,
       r.children, r.quote, r.refund_amount, p.currency,
       (coalesce(r.first_payment, (r.quote->>'due_now')::bigint)
       + CASE WHEN r.group_id IS NULL OR r.group_id = r.id
              THEN coalesce((SELECT sum(c.amount) FROM booking_charge c
                             WHERE c.reservation_id = r.id AND c.status = 'succeeded'
                               AND (r.group_id IS NULL OR c.kind <> 'balance')), 0)
              ELSE 0 END
       + CASE WHEN r.group_id IS NOT NULL AND EXISTS (
                  SELECT 1 FROM booking_charge c WHERE c.reservation_id = r.group_id
                   AND c.kind = 'balance' AND c.status = 'succeeded')
              THEN coalesce((r.quote->'payment_schedule'->1->>'amount')::bigint, 0)
              ELSE 0 END)::bigint
       AS paid
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
