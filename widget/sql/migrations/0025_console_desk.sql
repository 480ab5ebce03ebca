-- The front desk (issue 16): refunds the owner chooses, date changes with their money, and
-- phone bookings paid by a link.

-- What the payment taken at booking still holds: the quote's due_now until a date change
-- gives some of it back (the quote is then the new stay's). 0 for a stay paid at the
-- property, whose quote's due_now was never charged. NULL: the quote's due_now.
ALTER TABLE reservation ADD COLUMN first_payment bigint CHECK (first_payment >= 0);
UPDATE reservation SET first_payment = 0 WHERE payment_provider = 'property';

-- A date change that costs more is a charge after booking too ('change'): to the saved
-- card, or left 'balance_due' for the guest's payment link. A booking may change its dates
-- more than once, so only the balance and the no-show fee stay once per booking.
ALTER TABLE booking_charge DROP CONSTRAINT booking_charge_kind_check;
ALTER TABLE booking_charge ADD CONSTRAINT booking_charge_kind_check
    CHECK (kind IN ('balance', 'no_show', 'change'));
DROP INDEX booking_charge_once;
CREATE UNIQUE INDEX booking_charge_once ON booking_charge (reservation_id, kind)
    WHERE kind <> 'change';

-- Each change of a booking's dates: from which version (so the same click twice is one
-- change), the stays and totals before and after, and how the difference was settled.
CREATE TABLE booking_change (
    id             uuid PRIMARY KEY,
    reservation_id uuid NOT NULL REFERENCES reservation (id),
    from_version   int NOT NULL,
    old_stay       daterange NOT NULL,
    new_stay       daterange NOT NULL,
    old_total      bigint NOT NULL,
    new_total      bigint NOT NULL,
    -- What is paid online changes by this much: > 0 the guest owes it, < 0 given back.
    difference     bigint NOT NULL,
    -- none, refund, saved_card, link, balance (the scheduled balance absorbs it), at_property
    settlement     text NOT NULL,
    -- pending (money still to move), done, failed (the provider refused: see the booking)
    status         text NOT NULL DEFAULT 'pending',
    payment_ref    text,
    actor          text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (reservation_id, from_version)
);
