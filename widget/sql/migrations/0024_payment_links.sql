-- The guest's payment page (issue 15): a private link e-mailed (or handed out by the manage
-- page) for ONE purpose: confirm a balance the bank wants authenticated, pay a balance that
-- failed with another card, or replace the card a booking keeps. Only the key's hash is
-- kept; a link ends at expires_at. It replaces booking_charge.link_token_hash (no longer
-- written), whose one hash per charge could neither expire nor say what it was for.
CREATE TABLE payment_link (
    id              uuid PRIMARY KEY,
    reservation_id  uuid NOT NULL REFERENCES reservation (id),
    -- The balance (or no-show fee) the link pays; NULL for a card update of a stay paid
    -- at the property.
    charge_id       uuid REFERENCES booking_charge (id),
    purpose         text NOT NULL
                    CHECK (purpose IN ('authenticate', 'pay_balance', 'update_card')),
    token_hash      bytea NOT NULL UNIQUE,
    expires_at      timestamptz NOT NULL,
    -- A card update's SetupIntent, made once per link (its key is derived from the link).
    setup_ref       text,
    done_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_link_charge ON payment_link (charge_id);
CREATE INDEX payment_link_reservation ON payment_link (reservation_id);

-- Links e-mailed before this migration (/pay/{charge id}?key=…) keep working, for the
-- purpose their charge waits for, for 14 more days.
INSERT INTO payment_link (id, reservation_id, charge_id, purpose, token_hash, expires_at)
SELECT id, reservation_id, id,
       CASE WHEN status = 'requires_action' THEN 'authenticate'
            WHEN status = 'balance_due' THEN 'pay_balance'
            ELSE 'update_card' END,
       link_token_hash, now() + interval '14 days'
FROM booking_charge WHERE link_token_hash IS NOT NULL;
