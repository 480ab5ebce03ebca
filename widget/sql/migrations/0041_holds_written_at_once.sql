-- A hold's write took a statement and a round trip each for: BEGIN, the unit's shared lock,
-- the lapsed holds on the unit, the new row, the version it made, COMMIT (six; a group of
-- two rooms, eleven). Each costs the worker as much as a whole /healthz answer, and every
-- round trip of a race's winner comes back only when the worker's loop has served whatever
-- else is ready, so a winner's write spanned much of a race. One call now does the same
-- steps in the same order, in one transaction (a statement on its own, or inside the
-- caller's when Postgres counts the client's quota while Redis is away).
--
-- rooms: one object per room, as widget.inventory.hold_rows writes it (id, unit_id,
-- check_in, check_out, token_hash in hex or null, adults, children, quote, quote_hash,
-- promo_code, client_key, client_address, cancellation_policy, payment_terms, group_id,
-- group_position). Returns the holds that lapsed on those nights (lapsed = true: their
-- gates, a group's under its id, and quota places are given back) and the rooms held (lapsed = false) with the
-- inventory version the write made. The exclusion constraint still has the last word: a
-- room already taken raises exclusion_violation and nothing is written.
CREATE OR REPLACE FUNCTION innkeep_hold_rooms(p bigint, rooms jsonb, hold_seconds float8)
RETURNS TABLE (lapsed boolean, id uuid, unit_id bigint, check_in date, check_out date,
               client_key text, client_address text, group_id uuid,
               hold_expires_at timestamptz, version integer, inventory_version bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    units bigint[] := ARRAY(SELECT DISTINCT (r ->> 'unit_id')::bigint
                            FROM jsonb_array_elements(rooms) r ORDER BY 1);
    -- The nights of every room (a group's rooms share theirs).
    nights daterange := (SELECT daterange(min((r ->> 'check_in')::date),
                                          max((r ->> 'check_out')::date))
                         FROM jsonb_array_elements(rooms) r);
    unit bigint;
    ids uuid[];
    ends timestamptz[];
    versions integer[];
    made bigint;
BEGIN
    -- A hold is written under its units' locks, shared with other holds; an import of a
    -- channel's feed takes a unit's alone (imports.sql, lock_unit), so the two never write
    -- the same nights at once: the import waits for the holds being written, then displaces
    -- them, and holds that come during the import find its nights taken. (Two writers of
    -- overlapping rows under an exclusion constraint would each wait for the other.) A
    -- group takes its units' in the order of their ids.
    FOREACH unit IN ARRAY units LOOP
        PERFORM pg_advisory_xact_lock_shared(1414, mod(unit, 2147483647)::int);
    END LOOP;
    -- Holds whose time is up stop counting at once, on the nights this write needs: the
    -- units' few held rows, read through reservation_held_by_unit by their unit ids (a
    -- join with the rooms would read every held row of the deployment, and ask each its
    -- property's clock).
    RETURN QUERY
    UPDATE reservation r
    SET status = 'expired', version = r.version + 1, updated_at = now()
    WHERE r.unit_id = ANY(units) AND r.status = 'held' AND r.stay && nights
      AND r.hold_expires_at <= innkeep_now(r.property_id)
    RETURNING true, r.id, r.unit_id, lower(r.stay), upper(r.stay), r.client_key,
              r.client_address, r.group_id, NULL::timestamptz, NULL::integer, NULL::bigint;
    WITH held AS (
        INSERT INTO reservation (id, property_id, unit_id, stay, status, hold_expires_at,
                                 hold_token_hash, adults, children, quote, quote_hash,
                                 promo_code, client_key, client_address, cancellation_policy,
                                 payment_terms, group_id, group_position)
        SELECT w.id, p, w.unit_id, daterange(w.check_in, w.check_out), 'held',
               innkeep_now(p) + make_interval(secs => hold_seconds),
               decode(w.token_hash, 'hex'), w.adults, w.children, w.quote, w.quote_hash,
               w.promo_code, w.client_key, w.client_address, w.cancellation_policy,
               w.payment_terms, w.group_id, w.group_position
        FROM jsonb_to_recordset(rooms) AS w(
            id uuid, unit_id bigint, check_in date, check_out date, token_hash text,
            adults integer, children integer[], quote jsonb, quote_hash text,
            promo_code text, client_key text, client_address text,
            cancellation_policy jsonb, payment_terms jsonb, group_id uuid,
            group_position smallint)
        RETURNING reservation.id, reservation.hold_expires_at, reservation.version
    )
    SELECT array_agg(held.id), array_agg(held.hold_expires_at), array_agg(held.version)
    INTO ids, ends, versions FROM held;
    -- The rows' triggers have bumped the property's version and hold its row until the
    -- commit: nobody else's change comes between.
    SELECT property.inventory_version INTO made FROM property WHERE property.id = p;
    RETURN QUERY
    SELECT false, h.id, NULL::bigint, NULL::date, NULL::date, NULL::text, NULL::text,
           NULL::uuid, h.hold_expires_at, h.version, made
    FROM unnest(ids, ends, versions) AS h(id, hold_expires_at, version);
END;
$$;
