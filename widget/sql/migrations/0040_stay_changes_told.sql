-- Every worker keeps each property's busy stays ahead in memory. A reservation's change used
-- to tell the workers only "property p changed" (property_changed_notify), and each of them
-- read every stay ahead of p again, after every hold and booking, while its requests waited.
-- The notification now carries the change itself and the inventory version it makes
-- (widget.inventory.stay_changes): a worker whose memory is at the version before applies
-- it, any other forgets the property as before. Changes of anything else (rules, a test
-- property's clock) still say only the property's id: forget everything about it.
CREATE OR REPLACE FUNCTION reservation_bumps_inventory() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p bigint := coalesce(NEW.property_id, OLD.property_id);
    made bigint;
    change text := '';
BEGIN
    -- property_changed_notify stays quiet for this bump: the message below says more.
    PERFORM set_config('innkeep.stay_change', 'on', true);
    UPDATE property SET inventory_version = inventory_version + 1 WHERE id = p
    RETURNING inventory_version INTO made;
    PERFORM set_config('innkeep.stay_change', '', true);
    IF made IS NULL THEN  -- the property itself is going (its test property deleted)
        PERFORM pg_notify('innkeep_inventory', p::text);
        RETURN NULL;
    END IF;
    -- Nights as day numbers, as Python's date.toordinal() counts them (1 = 0001-01-01).
    IF TG_OP <> 'INSERT' AND OLD.status IN ('held', 'confirmed', 'blocked') THEN
        change := format(' -%s,%s,%s', OLD.unit_id,
                         lower(OLD.stay) - DATE '0001-01-01' + 1,
                         upper(OLD.stay) - DATE '0001-01-01' + 1);
    END IF;
    -- What the busy stays' read counts (inventory.sql, busy_stays_ahead).
    IF TG_OP <> 'DELETE' AND (NEW.status IN ('confirmed', 'blocked')
        OR (NEW.status = 'held' AND NEW.hold_expires_at > innkeep_now(p))) THEN
        change := change || format(' +%s,%s,%s', NEW.unit_id,
                                   lower(NEW.stay) - DATE '0001-01-01' + 1,
                                   upper(NEW.stay) - DATE '0001-01-01' + 1);
        IF NEW.status = 'held' THEN
            change := change || ','
                || extract(epoch FROM NEW.hold_expires_at - innkeep_now(p))::float8;
        END IF;
    END IF;
    PERFORM pg_notify('innkeep_inventory', format('s %s %s%s', p, made, change));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION property_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('innkeep.stay_change', true) = 'on' THEN
        RETURN NULL;  -- a reservation's change: its own message follows
    END IF;
    PERFORM pg_notify('innkeep_inventory', NEW.id::text);
    RETURN NULL;
END
$$;
