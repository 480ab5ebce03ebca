-- A later charge (a balance, a change's difference) the provider took when it was no longer
-- wanted (its booking cancelled, or a change of dates dropped it, while a worker was taking
-- it) is given back: the charge goes from 'canceled' to 'refunding' with the payment and
-- what it took (taken_at: when; updated_at moves on with the refund), written before the
-- refund is asked, so one the provider did not answer is asked again (refund_tries), then to
-- 'refunded' with the provider's refund. The accountant's payments file lists both.
ALTER TABLE booking_charge
    ADD COLUMN refund_ref text,
    ADD COLUMN taken_at timestamptz,
    ADD COLUMN refund_tries int NOT NULL DEFAULT 0;

-- A change of dates' refund the provider did not answer (a time-out: it may have been made)
-- stays 'pending' and the reconciler asks again under the same key: one worker at a time
-- (leased_until), the least recently asked first (asked_at), each ask counted (tries) and
-- the last error kept.
ALTER TABLE booking_change
    ADD COLUMN tries int NOT NULL DEFAULT 0,
    ADD COLUMN leased_until timestamptz,
    ADD COLUMN asked_at timestamptz,
    ADD COLUMN last_error text;

-- The demo provider's refunds by idempotency key, as Stripe keeps them: a refund asked again
-- under the same key is answered, never made twice. They go with their payment (a test
-- property deleted with everything it holds).
CREATE TABLE demo_refund (
    idempotency_key text PRIMARY KEY,
    payment_id      text NOT NULL REFERENCES demo_payment (id) ON DELETE CASCADE,
    amount          bigint NOT NULL CHECK (amount >= 0),
    created_at      timestamptz NOT NULL DEFAULT now()
);
