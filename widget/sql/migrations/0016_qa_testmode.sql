-- Test mode (decision 16): a property the testing API created may have its own clock,
-- moved forward by QA without sleeping. Every statement about one property's holds, stays
-- and "today" reads innkeep_now(property_id); the offset is zero for every other property.
ALTER TABLE property ADD COLUMN clock_shift interval NOT NULL DEFAULT interval '0';
ALTER TABLE property ADD COLUMN created_by_testing boolean NOT NULL DEFAULT false;
ALTER TABLE property ADD CONSTRAINT clock_shift_only_for_testing
    CHECK (created_by_testing OR clock_shift = interval '0');

CREATE FUNCTION innkeep_now(p_property bigint) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT innkeep_now()
           + coalesce((SELECT clock_shift FROM property WHERE id = p_property), interval '0')
$$;
