-- Owner webhooks: the endpoints a property file lists, and the outbox of their deliveries.

-- One endpoint of the owner's other tools (door locks, accounting, Zapier), as the property
-- file's [[webhooks]] lists it. The secret signs deliveries (Standard Webhooks), so it is
-- kept as written; it is never logged and never shown whole.
CREATE TABLE webhook_endpoint (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id   bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    url           text NOT NULL CHECK (url ~ '^https?://'),
    events        text[] NOT NULL CHECK (cardinality(events) > 0),
    secret        text NOT NULL CHECK (secret LIKE 'whsec_%'),
    include_guest boolean NOT NULL DEFAULT false,
    -- An endpoint the file no longer lists stops getting new deliveries; its past ones stay
    -- listable (and re-sendable only once it is listed again).
    removed_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_endpoint_url ON webhook_endpoint (property_id, url)
    WHERE removed_at IS NULL;

-- One event for one endpoint, written in the same transaction as the event itself, and sent
-- afterwards by a background job on any worker. A worker claims a row with a lease (no
-- transaction is held during the HTTP call); the lease token fences its outcome, so a
-- worker whose lease lapsed cannot overwrite the next one's.
CREATE TABLE webhook_delivery (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id     bigint NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    property_id     bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    -- The Standard Webhooks message id: the same on every retry and re-send.
    message_id      text NOT NULL UNIQUE,
    event_type      text NOT NULL,
    -- Deliveries of one booking go out in order (per endpoint).
    booking_ref     text,
    occurred_at     timestamptz NOT NULL,
    data            jsonb NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    -- Retried until then, then failed.
    give_up_at      timestamptz NOT NULL,
    lease_token     uuid,
    lease_until     timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX webhook_delivery_booking ON webhook_delivery (endpoint_id, booking_ref, id)
    WHERE state = 'pending' AND booking_ref IS NOT NULL;
CREATE INDEX webhook_delivery_recent ON webhook_delivery (property_id, id DESC);
