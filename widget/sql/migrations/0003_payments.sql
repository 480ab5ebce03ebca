-- Payments: the demo provider's own ledger, the transactional outbox of e-mails, and
-- refunds of cancelled bookings.

-- The demo provider keeps its "payments" here (no network, shared by every worker).
-- Status words are Stripe's, so the confirmation code reads both providers alike.
CREATE TABLE demo_payment (
    id              text PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    hold_id         uuid NOT NULL,
    amount          bigint NOT NULL CHECK (amount >= 0),
    currency        text NOT NULL,
    status          text NOT NULL,
    amount_received bigint NOT NULL DEFAULT 0,
    amount_refunded bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- E-mails written in the same transaction as the booking (or cancellation) they tell of,
-- and sent afterwards by a background sender with retries.
CREATE TABLE outbox_message (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reservation_id  uuid REFERENCES reservation (id),
    kind            text NOT NULL,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    failed_at       timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_message_due ON outbox_message (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;

-- A booking knows when its payment was captured (the reconciler looks for the gaps).
ALTER TABLE reservation ADD COLUMN payment_captured_at timestamptz;
ALTER TABLE reservation ADD COLUMN cancelled_at timestamptz;
ALTER TABLE reservation ADD COLUMN refund_amount bigint;
ALTER TABLE reservation ADD COLUMN refund_ref text;
-- Where the guest reached the service at checkout: the links in their e-mails point there,
-- even when the webhook or the reconciler makes the booking.
ALTER TABLE reservation ADD COLUMN site_url text;
CREATE INDEX reservation_payment_unsettled ON reservation (updated_at)
    WHERE payment_ref IS NOT NULL AND payment_captured_at IS NULL;
