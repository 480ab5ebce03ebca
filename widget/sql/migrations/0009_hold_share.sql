-- The most one client may hold of a property at once, as a percentage of its active units
-- (the property file's [property.hold_quota] share_percent; holds of any dates count, so over
-- 100 lets one test machine play many guests).
ALTER TABLE property ADD COLUMN hold_share_percent integer NOT NULL DEFAULT 25
    CHECK (hold_share_percent BETWEEN 1 AND 1000);
