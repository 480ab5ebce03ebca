-- Each room's money as it really went, where room_paid (0037) still said otherwise:
--   * a room cancelled alone paid what was taken for it when it was cancelled (room_kept
--     plus its refund, written by that cancellation): the group's balance charged later
--     was for the rooms still booked, not for it;
--   * once a group's dates changed, a refund of that change the provider refused is still
--     held: the first room, which carries the payment, keeps it (as rooms_after_change
--     gives it what was held beyond every room's price), so the rooms add up to
--     booking_paid and a later cancellation refunds it. A later change reads room_paid for
--     what each room paid, so that refund (and a no-show fee) is then in its rooms'
--     room_taken: extras_counted, written by each change on the first room as
--     charges_counted is, says how much of them, so room_paid never counts them twice.
ALTER TABLE reservation ADD COLUMN extras_counted bigint CHECK (extras_counted >= 0);

-- Groups changed before this: their rooms' room_taken hold the booking's other charges (a
-- no-show fee) taken before their latest change, which room_paid counted then; never a
-- refused refund, which it did not.
UPDATE reservation b SET extras_counted = (
    SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
    WHERE c.reservation_id = b.id AND c.status = 'succeeded'
      AND c.kind NOT IN ('balance', 'change')
      AND c.created_at < (SELECT max(x.created_at) FROM booking_change x
                          WHERE x.reservation_id = b.id))
WHERE b.room_taken IS NOT NULL AND b.group_id = b.id;

-- What of a group room's room_owed the group's balance and change charges that went
-- through since its last change of dates have paid: they fill the rooms' room_owed in the
-- guest's order (a charge is taken whole). 0 for a room whose dates never changed.
CREATE FUNCTION room_owed_taken(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT least(coalesce(r.room_owed, 0), greatest(0,
           coalesce((SELECT sum(c.amount) FROM booking_charge c
                     WHERE c.reservation_id = b.id AND c.kind IN ('balance', 'change')
                       AND c.status = 'succeeded'), 0)
           - coalesce(b.charges_counted, 0)
           - coalesce((SELECT sum(m.room_owed) FROM reservation m
                       WHERE m.group_id = b.id AND m.group_position < r.group_position), 0)))::bigint
    FROM reservation b WHERE b.id = coalesce(r.group_id, r.id)
$$;

CREATE OR REPLACE FUNCTION room_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN r.room_kept IS NOT NULL THEN
        r.room_kept + coalesce(r.refund_amount, 0)
    WHEN r.room_taken IS NULL THEN
        CASE WHEN b.payment_captured_at IS NOT NULL
             THEN coalesce(r.first_payment, (r.quote->>'due_now')::bigint)
                  + refunds_not_made(r) ELSE 0 END
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
        r.room_taken + room_owed_taken(r)
        + CASE WHEN r.id = b.id
               THEN refunds_not_made(b)
                    + coalesce((SELECT sum(c.amount) FROM booking_charge c
                                WHERE c.reservation_id = r.id AND c.status = 'succeeded'
                                  AND c.kind NOT IN ('balance', 'change')), 0)
                    - coalesce(b.extras_counted, 0)
               ELSE 0 END
    END)::bigint
    FROM reservation b WHERE b.id = coalesce(r.group_id, r.id)
$$;

-- What is still to be taken online for one room: the provider takes it, so the front desk
-- does not collect it (shown beside what is due at the property):
--   the room's part of the payment at booking while it is authorised, not captured yet;
--   its part of a balance or a change's difference not taken yet (scheduled, waiting for
--   the guest, or declined and left to the owner: what the console's booking page counts
--   as "still to pay online"): for one room those charges; for a group before its dates
--   changed, the room's own balance while the group's is open; after, what the change
--   left the room to pay (room_owed) less its part of the charges taken since.
CREATE FUNCTION room_owed_online(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN r.status <> 'confirmed' THEN 0 ELSE
        CASE WHEN b.payment_captured_at IS NULL AND b.payment_ref IS NOT NULL
                  AND b.payment_provider IS DISTINCT FROM 'property' AND r.room_taken IS NULL
             THEN coalesce(r.first_payment, (r.quote->>'due_now')::bigint) ELSE 0 END
        + CASE
            WHEN NOT EXISTS (
                     SELECT 1 FROM booking_charge c WHERE c.reservation_id = b.id
                        AND c.kind IN ('balance', 'change')
                        AND c.status IN ('scheduled', 'requires_action', 'balance_due'))
                 THEN 0
            WHEN r.group_id IS NULL
                 THEN (SELECT sum(c.amount) FROM booking_charge c WHERE c.reservation_id = r.id
                          AND c.kind IN ('balance', 'change')
                          AND c.status IN ('scheduled', 'requires_action', 'balance_due'))
            WHEN r.room_taken IS NULL
                 THEN coalesce((r.quote->'payment_schedule'->1->>'amount')::bigint, 0)
            ELSE coalesce(r.room_owed, 0) - room_owed_taken(r)
          END
    END)::bigint
    FROM reservation b WHERE b.id = coalesce(r.group_id, r.id)
$$;

COMMENT ON FUNCTION room_paid(reservation) IS
    'What was actually taken for one room of a booking (minor units): its part of the '
    'captured payment at booking and of the later charges, as a change of dates left it; '
    'for a room cancelled alone, what was taken for it when it was cancelled.';
COMMENT ON FUNCTION room_owed_online(reservation) IS
    'What is still to be taken online for one room of a booking (minor units): its part '
    'of the payment at booking while not captured, and of a balance or a change''s '
    'difference not taken yet.';
