-- innkeep: no-transaction
-- A sample online migration for bench/migration_check.py: an index on the reservation
-- table built without blocking writes (each statement runs on its own).
CREATE INDEX CONCURRENTLY IF NOT EXISTS reservation_created_bench ON reservation (created_at);
