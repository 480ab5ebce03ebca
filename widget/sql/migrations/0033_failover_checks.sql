-- innkeep: no-transaction
-- Run outside a transaction so the index below is built CONCURRENTLY: the reservation table
-- stays writable while it builds. Each statement may run again (a runner that died half-way).

-- Captured payments no reservation pointed to (a Postgres failover lost the booking, or the
-- hold itself): what the reconciler did with each (put it back on its hold, or refunded it),
-- and the lease of the worker deciding it.
CREATE TABLE IF NOT EXISTS payment_recovery (
    payment_ref text PRIMARY KEY,
    hold_id     uuid,
    holder      uuid NOT NULL,
    until       timestamptz NOT NULL,
    outcome     text,
    settled_at  timestamptz
);

-- A new hold expires the lapsed holds on its unit in its own transaction
-- (inventory.sql expire_lapsed_on_unit): this reads that unit's few held rows, where the
-- other indexes read every held row of the deployment and every row of the unit. The
-- expiry time is not a column of it: the query compares it with the clock of each row's
-- property, which no index can order by.
CREATE INDEX CONCURRENTLY IF NOT EXISTS reservation_held_by_unit
    ON reservation (unit_id) WHERE status = 'held';
