-- Changing the exclusion constraint: a new one is built beside the old (Postgres cannot add
-- an exclusion constraint NOT VALID, nor from an index built concurrently), which holds an
-- ACCESS EXCLUSIVE lock on reservation for the whole build: docs/operations.md's
-- maintenance step. bench/migration_check.py measures how long guests' writes wait.
SET LOCAL lock_timeout = '5s';
ALTER TABLE reservation ADD CONSTRAINT reservation_no_overlap_rebuilt
    EXCLUDE USING gist (int8range(unit_id, unit_id, '[]') WITH =, stay WITH &&)
    WHERE (status IN ('held', 'confirmed', 'blocked'));
ALTER TABLE reservation DROP CONSTRAINT reservation_no_overlap;
ALTER TABLE reservation RENAME CONSTRAINT reservation_no_overlap_rebuilt TO reservation_no_overlap;
