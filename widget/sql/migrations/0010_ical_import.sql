-- iCal import: the feeds the owner connected (one per channel), what each feed listed, and
-- the conflicts an import found. Imported stays themselves are 'blocked' reservation rows
-- with their source (0007), judged by the one exclusion constraint, unchanged.

-- A channel's import feed: its URL (a credential), schedule, lease and health. The lease is
-- how one worker among many claims a feed: an UPDATE that succeeds only where the previous
-- lease has lapsed, so no lock or transaction is held during the HTTP fetch and a crashed
-- worker's claim simply runs out.
CREATE TABLE channel_feed (
    channel_id        bigint PRIMARY KEY REFERENCES channel (id) ON DELETE CASCADE,
    url               text NOT NULL CHECK (url ~ '^https?://'),
    interval_seconds  integer NOT NULL CHECK (interval_seconds >= 300),
    next_fetch_at     timestamptz NOT NULL DEFAULT now(),
    lease_until       timestamptz,
    lease_holder      text,
    -- The validators of the last full answer, for a conditional GET.
    etag              text,
    last_modified     text,
    -- Health, as `innkeep sync status` shows it.
    last_attempt_at   timestamptz,
    last_success_at   timestamptz,
    last_status       integer,
    event_count       integer,
    last_error        text,
    failing_since     timestamptz,
    -- Set when the owner was told the feed is failing; cleared (and told) on recovery.
    failure_told_at   timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_feed_due ON channel_feed (next_fetch_at);

-- Every event a feed listed (keyed by feed and UID), with what the import made of it:
-- 'blocked' (its nights are blocked, maybe all but those in conflict) or 'echo' (our own
-- stays sent back to us; nothing stored). first_seen_at decides the echo rule.
CREATE TABLE imported_event (
    channel_id    bigint NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    uid           text NOT NULL,
    stay          daterange NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('blocked', 'echo')),
    summary       text NOT NULL DEFAULT '',
    first_seen_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (channel_id, uid)
);

-- An imported event may be blocked in several pieces (the nights around a conflict), so the
-- source no longer names one row; imported_event is what is unique per (feed, UID).
DROP INDEX reservation_source;
CREATE INDEX reservation_source ON reservation (source_channel_id, source_uid)
    WHERE source_channel_id IS NOT NULL;

-- A night another channel sold that Innkeep had already sold or blocked: both sides, open
-- until the clash is gone (one side cancelled or moved). One row, and one e-mail, per pair
-- of sides ever: a feed that flips back and forth reopens its row and sends nothing more.
CREATE TABLE sync_conflict (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id     bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    channel_id      bigint NOT NULL REFERENCES channel (id) ON DELETE CASCADE,
    uid             text NOT NULL,
    event_stay      daterange NOT NULL,
    reservation_id  uuid NOT NULL REFERENCES reservation (id) ON DELETE CASCADE,
    nights          daterange NOT NULL,
    detected_at     timestamptz NOT NULL,
    resolved_at     timestamptz
);
CREATE UNIQUE INDEX sync_conflict_sides ON sync_conflict (channel_id, uid, reservation_id);
CREATE INDEX sync_conflict_open ON sync_conflict (channel_id) WHERE resolved_at IS NULL;
