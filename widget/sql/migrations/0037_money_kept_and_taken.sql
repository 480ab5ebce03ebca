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
