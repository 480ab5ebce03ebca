-- innkeep: no-transaction
-- The loader asks which properties allow the page's site on every request (its hint): with
-- thousands of guesthouses that must be an index look-up, not a read of every property.
-- Built concurrently: a deployment keeps answering while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS property_allowed_origins ON property USING gin (allowed_origins);
