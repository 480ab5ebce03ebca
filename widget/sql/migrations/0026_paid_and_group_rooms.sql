-- What a booking has paid, and the rooms of a group, each defined once: the console, the
-- guest's pages, the e-mails, the webhooks and the booking list all read these, so they
-- cannot disagree. Called with a reservation row: booking_paid(r), room_paid(r),
-- group_rooms(r).

-- What was actually taken for a booking (its first room, for a group): the payment at
-- booking (what it still holds after a date change's refund; 0 for a stay paid at the
-- property; a group's first room carries the one payment for every room) and every later
-- charge that went through (the balance, a date change, a no-show fee).
CREATE OR REPLACE FUNCTION booking_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (coalesce(r.first_payment,
                     (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                      WHERE m.group_id = r.id),
                     (r.quote->>'due_now')::bigint)
            + coalesce((SELECT sum(c.amount) FROM booking_charge c
                        WHERE c.reservation_id = r.id AND c.status = 'succeeded'), 0))::bigint
$$;

-- What was actually taken for one room: its part of the payment at booking once the
-- booking's payment was captured (until then nothing is taken), and the later charges that
-- went through. A single room has every charge of its booking. In a group, each room has its
-- own share of the group's one balance once that went through (its quote's second payment),
-- and the first room has the booking's other charges (a no-show fee).
CREATE OR REPLACE FUNCTION room_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN b.payment_captured_at IS NOT NULL
                 THEN coalesce(r.first_payment, (r.quote->>'due_now')::bigint) ELSE 0 END
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
    FROM reservation b WHERE b.id = coalesce(r.group_id, r.id)
$$;

-- The rooms of a group booking (called with its first room), in the guest's order, as the
-- readers decode them (rows.GroupRoom); NULL for a booking of one room.
CREATE OR REPLACE FUNCTION group_rooms(r reservation) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'status', m.status, 'room_type', mt.slug,
               'room_type_name', mt.name, 'unit', mu.name, 'adults', m.adults,
               'children', m.children, 'quote', m.quote, 'refund_amount', m.refund_amount,
               'cancellation_policy', coalesce(m.cancellation_policy, p.cancellation_policy))
             ORDER BY m.group_position)
    FROM reservation m
    JOIN unit mu ON mu.id = m.unit_id
    JOIN room_type mt ON mt.id = mu.room_type_id
    JOIN property p ON p.id = m.property_id
    WHERE m.group_id = r.id
$$;

-- What psql's \df+ shows.
COMMENT ON FUNCTION booking_paid(reservation) IS
    'What was actually taken for a booking: the payment at booking and every later charge '
    'that went through (minor units).';
COMMENT ON FUNCTION room_paid(reservation) IS
    'What was actually taken for one room of a booking (minor units): its part of the '
    'captured payment at booking and of the later charges.';
COMMENT ON FUNCTION group_rooms(reservation) IS
    'The rooms of a group booking, called with its first room, in the guest''s order '
    '(NULL for a booking of one room).';
