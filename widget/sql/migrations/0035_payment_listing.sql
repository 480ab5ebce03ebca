-- Where the reconciler's walk through the provider's list of payments stands, per provider
-- and listing: every payment created up to `checked_until` (Unix seconds) is checked; the
-- window (checked_until, window_until] is being walked newest first, `after_ref` the last
-- payment checked in it. One worker walks it at a time, under the lease (holder, until).
-- It lives beside the bookings, so a failover or a restore that loses bookings moves it
-- back with them, and the payments whose bookings were lost are checked again.
CREATE TABLE payment_listing (
    provider      text NOT NULL,
    listing       text NOT NULL,
    checked_until bigint NOT NULL,
    window_until  bigint,
    after_ref     text,
    holder        uuid,
    until         timestamptz NOT NULL,
    PRIMARY KEY (provider, listing)
);

-- Payments the walk passed before they were settled (an authorisation whose hold is still
-- open: its checkout may yet store it): read again one by one each round until settled,
-- so one such payment never holds the walk up.
CREATE TABLE payment_listing_wait (
    provider    text NOT NULL,
    payment_ref text NOT NULL,
    since       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, payment_ref)
);
