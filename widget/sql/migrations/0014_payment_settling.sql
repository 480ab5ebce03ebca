-- Which reconciler is settling a reservation's payment, and until when: a lease row, where a
-- session-level advisory lock stood before. PgBouncer in transaction mode cannot keep a
-- session's lock (the unlock may run on another server connection, leaving the lock held
-- forever), and a lease of a worker that died lapses by itself.
CREATE TABLE payment_settling (
    reservation_id uuid PRIMARY KEY REFERENCES reservation (id) ON DELETE CASCADE,
    holder uuid NOT NULL,
    until timestamptz NOT NULL
);
