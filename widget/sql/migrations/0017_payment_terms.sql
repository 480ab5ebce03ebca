-- Payment terms (issue 15): a deposit now and the balance later, or payment at the
-- property. A hold keeps the payment terms of the plan it was priced under (NULL: all paid
-- at booking, as before plans); its quote carries the schedule the guest agreed to.
ALTER TABLE reservation ADD COLUMN payment_terms jsonb;
-- The consent to charge the saved card later, as the guest was shown it at checkout.
ALTER TABLE reservation ADD COLUMN payment_consent text;
-- The provider's customer and saved card (Stripe: cus_…, pm_…) for later charges.
ALTER TABLE reservation ADD COLUMN customer_ref text;
ALTER TABLE reservation ADD COLUMN payment_method_ref text;

-- A charge after the booking: the balance on its date, or a no-show fee the owner charges.
-- One balance and at most one no-show fee per booking (the unique index): each is charged
-- at most once.
CREATE TABLE booking_charge (
    id              uuid PRIMARY KEY,
    reservation_id  uuid NOT NULL REFERENCES reservation (id),
    kind            text NOT NULL CHECK (kind IN ('balance', 'no_show')),
    amount          bigint NOT NULL CHECK (amount > 0),
    currency        text NOT NULL,
    due_on          date NOT NULL,
    -- scheduled → succeeded; or requires_action (the guest must authenticate), or
    -- balance_due (declined for good: the owner is told), or canceled (booking cancelled).
    status          text NOT NULL DEFAULT 'scheduled',
    reason          text,
    next_try_at     timestamptz NOT NULL,
    -- A worker's lease on the row while it talks to the provider (no transaction held).
    leased_until    timestamptz,
    tries           int NOT NULL DEFAULT 0,
    payment_ref     text,
    last_error      text,
    reminded_at     timestamptz,
    -- The hash of the key in the link e-mailed to the guest (authenticate, update the card).
    link_token_hash bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX booking_charge_once ON booking_charge (reservation_id, kind);
CREATE INDEX booking_charge_due ON booking_charge (next_try_at) WHERE status = 'scheduled';

-- Every attempt is written before the provider is called, with its own idempotency key:
-- a time-out is retried under the same key (the attempt stays 'pending'), so the provider
-- answers the first call's outcome instead of charging again.
CREATE TABLE charge_attempt (
    charge_id       uuid NOT NULL REFERENCES booking_charge (id),
    attempt         int NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending',
    payment_ref     text,
    error_code      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (charge_id, attempt)
);

-- The demo provider's saved cards and off-session payments: a scenario card per customer.
ALTER TABLE demo_payment ADD COLUMN customer text;
ALTER TABLE demo_payment ADD COLUMN error_code text;
ALTER TABLE demo_payment ALTER COLUMN hold_id DROP NOT NULL;
CREATE TABLE demo_customer (
    id              text PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    -- The test card saved: success, decline, insufficient_funds, authentication_required.
    scenario        text NOT NULL DEFAULT 'success',
    created_at      timestamptz NOT NULL DEFAULT now()
);
