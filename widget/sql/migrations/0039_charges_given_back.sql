-- A later charge (a balance, a change's difference) the provider took after its booking was
-- cancelled is given back: the charge goes from 'canceled' to 'refunding' with the payment
-- it took, written before the refund is asked (so one the provider did not answer is asked
-- again), then to 'refunded' with the provider's refund. The accountant's payments file
-- lists the payment and its refund.
-- taken_at: when the provider's payment was noted (updated_at moves on with the refund).
ALTER TABLE booking_charge ADD COLUMN refund_ref text, ADD COLUMN taken_at timestamptz;
