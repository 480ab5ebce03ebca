-- Every worker keeps the versions of the properties it serves in memory and answers calendar
-- requests without a round trip; this notification, sent on commit by whatever changed the
-- property or its reservations (any worker, the sweeper, the CLI), tells them to re-read.
CREATE FUNCTION property_changed_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('innkeep_inventory', NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER property_changed_notify
AFTER UPDATE OF version, inventory_version ON property
FOR EACH ROW EXECUTE FUNCTION property_changed_notify();

-- Moving the database's clock (tests do) changes every property's "today".
CREATE FUNCTION clock_moved_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('innkeep_inventory', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER clock_moved_notify
AFTER INSERT OR UPDATE OR DELETE ON clock_offset
FOR EACH STATEMENT EXECUTE FUNCTION clock_moved_notify();
