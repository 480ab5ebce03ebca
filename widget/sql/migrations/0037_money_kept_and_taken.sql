-- What a room cancelled alone left with the guesthouse. Its guests are not coming, so the
-- group's total and what is due at the property are its other rooms' (rows.rooms_money);
-- what its policy kept of what was taken for it is a figure of its own:
--   room_kept: what was taken for the room when it was cancelled alone, less its refund
--              (written by the cancellation, which knows both; room_paid cannot say it
--              later, since the group's balance taken after the cancellation is not the
--              room's). NULL for a room not cancelled alone.
ALTER TABLE reservation ADD COLUMN room_kept bigint CHECK (room_kept >= 0);

-- Rooms cancelled alone before this: what was taken for them as room_paid reads it now,
-- less their refund (a balance the group paid after the cancellation may be counted in:
-- the best that can be known).
UPDATE reservation m SET room_kept = greatest(room_paid(m) - m.refund_amount, 0)
WHERE m.group_id IS NOT NULL AND m.id <> m.group_id AND m.status = 'cancelled'
  AND m.refund_amount IS NOT NULL;

-- As in 0036, each room also with what was kept of it when it was cancelled alone.
CREATE OR REPLACE FUNCTION group_rooms(r reservation) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_agg(jsonb_build_object(
               'id', m.id, 'status', m.status, 'room_type', mt.slug,
               'room_type_name', mt.name, 'unit', mu.name, 'adults', m.adults,
               'children', m.children, 'quote', m.quote, 'refund_amount', m.refund_amount,
               'cancellation_policy', coalesce(m.cancellation_policy, p.cancellation_policy),
               'paid', room_paid(m), 'owed', m.room_owed, 'kept', m.room_kept)
             ORDER BY m.group_position)
    FROM reservation m
    JOIN unit mu ON mu.id = m.unit_id
    JOIN room_type mt ON mt.id = mu.room_type_id
    JOIN property p ON p.id = m.property_id
    WHERE m.group_id = r.id
$$;

-- What a change of dates moved, and what the payment at booking took before any did.
-- A change that refunds lowers first_payment (what the payment still holds) before the
-- provider is asked, and its record kept only the price difference: the console could not
-- show what the payment took, what a change refunded when it also dropped the scheduled
-- balance, nor tell a refund the provider refused from one it made.
--   reservation.first_payment_taken: what the payment at booking took (a group's first
--       room: for every room), written by the first change of dates; NULL while the dates
--       never changed (first_payment, else the quotes, say it) or when it is not known.
--   booking_change.amount: what the change moved now through the provider (a refund) or
--       asks through the card or the link (a charge); 0 when nothing moved.
--   booking_change.balance_dropped: the scheduled balance the change cancelled (NULL: none).
ALTER TABLE reservation
    ADD COLUMN first_payment_taken bigint CHECK (first_payment_taken >= 0);
ALTER TABLE booking_change
    ADD COLUMN amount bigint CHECK (amount >= 0),
    ADD COLUMN balance_dropped bigint CHECK (balance_dropped >= 0);

-- What can be known of the changes made before: a charge is its difference, a refund is
-- the difference unless a scheduled balance may have taken part of it (a balance charge
-- of the booking that is now cancelled); otherwise unknown (NULL).
UPDATE booking_change c SET amount = CASE
    WHEN c.settlement IN ('saved_card', 'link') THEN c.difference
    WHEN c.settlement IN ('none', 'balance', 'at_property') THEN 0
    WHEN c.settlement = 'refund' AND NOT EXISTS (
             SELECT 1 FROM booking_charge b WHERE b.reservation_id = c.reservation_id
                AND b.kind = 'balance' AND b.status = 'canceled')
         THEN -c.difference
END;

-- The payment at booking took what it holds now and what the changes refunded from it
-- (made or not: first_payment was lowered either way), when every such refund is known.
UPDATE reservation r SET first_payment_taken = r.first_payment + s.given
FROM (SELECT reservation_id,
             coalesce(sum(amount) FILTER (WHERE settlement = 'refund'), 0) AS given,
             bool_and(amount IS NOT NULL) AS known
      FROM booking_change GROUP BY reservation_id) s
WHERE s.reservation_id = r.id AND s.known AND r.first_payment IS NOT NULL;

-- The refunds changes of dates asked for that the provider did not make: the payment at
-- booking still holds them, though first_payment was lowered by them.
CREATE FUNCTION refunds_not_made(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(c.amount), 0)::bigint FROM booking_change c
    WHERE c.reservation_id = r.id AND c.settlement = 'refund' AND c.status = 'failed'
$$;

-- As in 0026, counting only the refunds that went through.
CREATE OR REPLACE FUNCTION booking_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (coalesce(r.first_payment,
                     (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                      WHERE m.group_id = r.id),
                     (r.quote->>'due_now')::bigint)
            + refunds_not_made(r)
            + coalesce((SELECT sum(c.amount) FROM booking_charge c
                        WHERE c.reservation_id = r.id AND c.status = 'succeeded'), 0))::bigint
$$;

-- As in 0036, a booking of one room counting only the refunds that went through (a group's
-- rooms have what its change wrote down).
CREATE OR REPLACE FUNCTION room_paid(r reservation) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN r.room_taken IS NULL THEN
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

COMMENT ON FUNCTION refunds_not_made(reservation) IS
    'The refunds changes of dates asked for that the provider did not make (minor units).';
