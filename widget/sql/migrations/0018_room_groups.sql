-- Several rooms in one checkout (issue 15). Each room of a group is its own reservation row
-- under the one exclusion constraint; the rows share group_id, the id of the group's first
-- room, which is the hold the guest's token, checkout, payment and booking reference belong
-- to. group_position keeps the rooms in the order the guest asked for them. A single-room
-- hold has no group (NULL), exactly as before.
ALTER TABLE reservation ADD COLUMN group_id uuid;
ALTER TABLE reservation ADD COLUMN group_position smallint;
CREATE INDEX reservation_group ON reservation (group_id) WHERE group_id IS NOT NULL;
-- The most rooms one booking may have at the property (its file's max_rooms_per_booking);
-- no client's hold quota is ever smaller.
ALTER TABLE property ADD COLUMN max_rooms_per_booking integer NOT NULL DEFAULT 4
    CHECK (max_rooms_per_booking BETWEEN 1 AND 20);
