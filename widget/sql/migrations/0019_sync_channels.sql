-- The console's Channels page and conflicts resolved by the owner.

-- Failed fetches in a row (0 after a good one): the Channels page shows it beside the age
-- of the failure.
ALTER TABLE channel_feed ADD COLUMN failures integer NOT NULL DEFAULT 0;

-- Who resolved a conflict by hand (console user's e-mail, or the command line); NULL when
-- the clash itself went away. A conflict the owner resolved stays resolved while the same
-- two sides clash on the same nights: the owner has dealt with it (refunded on the OTA,
-- moved the guest).
ALTER TABLE sync_conflict ADD COLUMN resolved_by text;
