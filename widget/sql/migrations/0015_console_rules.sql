-- The owner's console, prices and rules, reports and guests (issue 16).

-- Who changed a property's pricing rules, when, and from what to what. `changed_by` is the
-- console user's e-mail address (kept as text: the history outlives the account).
CREATE TABLE rule_change (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id  bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    changed_by   text NOT NULL CHECK (changed_by <> ''),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    summary      text NOT NULL,
    rules_before jsonb NOT NULL,
    rules_after  jsonb NOT NULL
);
CREATE INDEX rule_change_by_property ON rule_change (property_id, changed_at DESC);

-- Guests are anonymised this many years after their departure (NULL: until erased by hand).
ALTER TABLE property ADD COLUMN guest_retention_years integer
    CHECK (guest_retention_years BETWEEN 1 AND 30);

-- When a guest's personal fields were anonymised (erased on request or by retention).
ALTER TABLE reservation ADD COLUMN guest_erased_at timestamptz;
CREATE INDEX reservation_guest_email ON reservation (property_id, lower(guest ->> 'email'))
    WHERE guest IS NOT NULL;
