-- How far ahead a property sells, in days from its own "today" (the property file's
-- booking_horizon_days; the default is widget.limits.BOOKING_HORIZON_DAYS).
ALTER TABLE property
    ADD COLUMN booking_horizon_days integer NOT NULL DEFAULT 730
        CHECK (booking_horizon_days BETWEEN 7 AND 3650);
