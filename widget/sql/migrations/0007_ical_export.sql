-- iCal export: each unit's secret feed URLs, and what each channel's feed has served.

-- A channel connected to a unit (Airbnb, Booking.com, ...). The import slice hangs its feed
-- URL, schedule and health on this row; here it only names whose stays are whose.
CREATE TABLE channel (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    unit_id     bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (unit_id, name)
);

-- A stay imported from a channel is a 'blocked' row with its source, judged by the same
-- exclusion constraint as every other reservation (its condition needs no change).
ALTER TABLE reservation
    ADD COLUMN source_channel_id bigint REFERENCES channel (id),
    ADD COLUMN source_uid text,
    ADD CHECK (source_channel_id IS NULL OR (status IN ('blocked', 'cancelled') AND source_uid IS NOT NULL));
CREATE UNIQUE INDEX reservation_source ON reservation (source_channel_id, source_uid)
    WHERE source_channel_id IS NOT NULL AND status = 'blocked';

-- One export URL per unit (channel_id NULL: the full feed) and per (unit, channel): the
-- channel's own feed leaves out its own imported stays. The URL's token is derived from
-- the server's secret key and `salt` (see widget.sync.tokens): the database keeps only the
-- salt and the token's hash, so reading it is not enough to fetch a feed.
CREATE TABLE export_feed (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    unit_id     bigint NOT NULL REFERENCES unit (id) ON DELETE CASCADE,
    channel_id  bigint REFERENCES channel (id) ON DELETE CASCADE,
    salt        bytea NOT NULL CHECK (length(salt) = 16),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    rotated_at  timestamptz,
    UNIQUE NULLS NOT DISTINCT (unit_id, channel_id)
);

-- When a channel's export first served each stay, for the import's echo rule ("this channel
-- had already fetched those nights from us"). Written after the answer was sent, once per
-- stay; the full feed (no channel) records nothing.
CREATE TABLE export_served (
    export_feed_id  bigint NOT NULL REFERENCES export_feed (id) ON DELETE CASCADE,
    reservation_id  uuid NOT NULL REFERENCES reservation (id) ON DELETE CASCADE,
    stay            daterange NOT NULL,
    first_served_at timestamptz NOT NULL,
    PRIMARY KEY (export_feed_id, reservation_id, stay)
);
