-- Availability answers are cached under the property's inventory version; a trigger bumps it
-- on every reservation change, by any worker or path (holds, sweeper, blocks, payments), in
-- the same transaction as the change, so a cached answer can never outlive the truth.
ALTER TABLE property ADD COLUMN inventory_version bigint NOT NULL DEFAULT 1;

CREATE FUNCTION reservation_bumps_inventory() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE property SET inventory_version = inventory_version + 1
    WHERE id = coalesce(NEW.property_id, OLD.property_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER reservation_bumps_inventory
AFTER INSERT OR DELETE OR UPDATE OF status, stay, unit_id, hold_expires_at ON reservation
FOR EACH ROW EXECUTE FUNCTION reservation_bumps_inventory();

-- The client that asked for a hold: its widget session (or, without one, its address) in
-- client_key, and its address, for per-client quotas counted in Postgres while Redis is away.
ALTER TABLE reservation ADD COLUMN client_address text;
CREATE INDEX reservation_holds_by_client ON reservation (property_id, client_key, created_at)
    WHERE client_key IS NOT NULL;

-- Idempotency-Key: one row per (scope, key); scope = method, path and caller.
CREATE TABLE idempotency_key (
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    -- NULL while the first request is still in flight.
    status_code  integer,
    response     bytea,
    headers      jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
