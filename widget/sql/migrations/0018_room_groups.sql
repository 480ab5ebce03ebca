-- Several rooms in one checkout (issue 15). Each room of a group is its own reservation row
-- under the one exclusion constraint; the rows share group_id, the id of the group's first
-- room, which is the hold the guest's token, checkout, payment and booking reference belong
-- to. group_position keeps the rooms in the order the guest asked for them. A single-room
-- hold has no group (NULL), exactly as before.
ALTER TABLE reservation ADD COLUMN group_id uuid;
ALTER TABLE reservation ADD COLUMN group_position smallint;
CREATE INDEX reservation_group ON reservation (group_id) WHERE group_id IS NOT NULL;
