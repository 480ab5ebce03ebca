-- What was actually taken for each room of a group once its dates changed. A change prices
-- every room again, so a room's quote no longer says what was paid for it: the change
-- writes it down per room instead (widget.payments.room_money), and room_paid reads that.
--   room_taken: what was taken for the room as the last change left it (its part of the
--               payment at booking, after the change's refund, and of the charges taken
--               before the change);
--   room_owed:  what that change left the room to pay online, taken with the group's next
--               balance or change charge (0 once the room is cancelled before that);
--   charges_counted (the first room only): the group's balance and change charges that had
--               gone through at the last change, already in its rooms' room_taken.
-- NULL for a booking of one room and for a group whose dates never changed.
ALTER TABLE reservation
    ADD COLUMN room_taken bigint CHECK (room_taken >= 0),
    ADD COLUMN room_owed bigint CHECK (room_owed >= 0),
    ADD COLUMN charges_counted bigint CHECK (charges_counted >= 0);

-- As in 0026 until the group's dates change. After, a room has what the change wrote down,
-- and its part of the group's balance and change charges that went through since: those
-- fill the rooms' room_owed in the guest's order (a charge is taken whole, so each room
-- gets all it was owed once the charge went through); the first room also has the
-- booking's other charges (a no-show fee).
CREATE OR REPLACE FUNCTION room_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN r.room_taken IS NULL THEN
        CASE WHEN b.payment_captured_at IS NOT NULL
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
               ELSE 0 END
    ELSE
        r.room_taken
        + least(coalesce(r.room_owed, 0), greatest(0,
              coalesce((SELECT sum(c.amount) FROM booking_charge c
                        WHERE c.reservation_id = b.id AND c.kind IN ('balance', 'change')
                          AND c.status = 'succeeded'), 0)
              - coalesce(b.charges_counted, 0)
              - coalesce((SELECT sum(m.room_owed) FROM reservation m
                          WHERE m.group_id = b.id AND m.group_position < r.group_position), 0)))
        + CASE WHEN r.id = b.id
               THEN coalesce((SELECT sum(c.amount) FROM booking_charge c
                              WHERE c.reservation_id = r.id AND c.status = 'succeeded'
                                AND c.kind NOT IN ('balance', 'change')), 0)
               ELSE 0 END
    END)::bigint
    FROM reservation b WHERE b.id = coalesce(r.group_id, r.id)
$$;

-- As in 0026, each room with what was taken for it (room_paid) and what its last date
-- change left it to pay (room_owed; NULL while the dates never changed).
CREATE OR REPLACE FUNCTION group_rooms(r reservation) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'status', m.status, 'room_type', mt.slug,
               'room_type_name', mt.name, 'unit', mu.name, 'adults', m.adults,
               'children', m.children, 'quote', m.quote, 'refund_amount', m.refund_amount,
               'cancellation_policy', coalesce(m.cancellation_policy, p.cancellation_policy),
               'paid', room_paid(m), 'owed', m.room_owed)
             ORDER BY m.group_position)
    FROM reservation m
    JOIN unit mu ON mu.id = m.unit_id
    JOIN room_type mt ON mt.id = mu.room_type_id
    JOIN property p ON p.id = m.property_id
    WHERE m.group_id = r.id
$$;

COMMENT ON FUNCTION room_paid(reservation) IS
    'What was actually taken for one room of a booking (minor units): its part of the '
    'captured payment at booking and of the later charges, as a change of dates left it.';
