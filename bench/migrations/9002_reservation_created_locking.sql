-- The same index built the ordinary way, in a transaction: Postgres blocks every write to
-- the table until it is built (bench/migration_check.py shows how long).
CREATE INDEX reservation_created_locking_bench ON reservation (created_at);
