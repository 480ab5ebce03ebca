-- Properties, room types, units, reservations and processed webhook events.
-- Money is bigint minor units of the property's currency; stays are half-open dateranges.

CREATE TABLE property (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name                text NOT NULL CHECK (name <> ''),
    contact_email       text NOT NULL,
    time_zone           text NOT NULL,
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    locale              text NOT NULL,
    allowed_origins     text[] NOT NULL DEFAULT '{}',
    check_in_time       time NOT NULL,
    check_out_time      time NOT NULL,
    cancellation_policy jsonb NOT NULL,
    pricing_rules       jsonb NOT NULL DEFAULT '[]',
    -- Bumped on every change that can alter a price or availability answer (cache keys, ETags).
    version             bigint NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_type (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id     bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name            text NOT NULL CHECK (name <> ''),
    description     text NOT NULL DEFAULT '',
    photos          jsonb NOT NULL DEFAULT '[]',
    max_guests      integer NOT NULL CHECK (max_guests > 0),
    included_guests integer NOT NULL CHECK (included_guests > 0 AND included_guests <= max_guests),
    base_price      bigint NOT NULL CHECK (base_price >= 0),
    position        integer NOT NULL DEFAULT 0,
    -- Removed from the property file: kept for the reservations that name it.
    active          boolean NOT NULL DEFAULT true,
    UNIQUE (property_id, slug)
);

CREATE TABLE unit (
    -- An integer id, so the overlap guard can use int8range without btree_gist.
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id  bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    room_type_id bigint NOT NULL REFERENCES room_type (id),
    name         text NOT NULL CHECK (name <> ''),
    position     integer NOT NULL DEFAULT 0,
    active       boolean NOT NULL DEFAULT true,
    UNIQUE (property_id, name)
);

CREATE TYPE reservation_status AS ENUM ('held', 'confirmed', 'cancelled', 'expired', 'blocked');

CREATE TABLE reservation (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    property_id       bigint NOT NULL REFERENCES property (id),
    unit_id           bigint NOT NULL REFERENCES unit (id),
    stay              daterange NOT NULL
                      CHECK (NOT isempty(stay) AND NOT lower_inf(stay) AND NOT upper_inf(stay)),
    status            reservation_status NOT NULL,
    hold_expires_at   timestamptz,
    -- Fencing token: every state change names the version it saw.
    version           integer NOT NULL DEFAULT 1,
    hold_token_hash   bytea,
    reference         text UNIQUE,
    booking_secret_hash bytea,
    adults            integer CHECK (adults > 0),
    children          integer[] NOT NULL DEFAULT '{}',
    guest             jsonb,
    quote             jsonb,
    quote_hash        text,
    promo_code        text,
    payment_provider  text,
    payment_ref       text UNIQUE,
    payment_status    text,
    block_reason      text,
    client_key        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'held' OR hold_expires_at IS NOT NULL),
    -- Postgres itself refuses two active reservations of one unit on one night.
    CONSTRAINT reservation_no_overlap
        EXCLUDE USING gist (int8range(unit_id, unit_id, '[]') WITH =, stay WITH &&)
        WHERE (status IN ('held', 'confirmed', 'blocked'))
);

CREATE INDEX reservation_active_by_property ON reservation (property_id, upper(stay))
    WHERE status IN ('held', 'confirmed', 'blocked');
CREATE INDEX reservation_held_expiry ON reservation (hold_expires_at) WHERE status = 'held';
CREATE INDEX reservation_unit ON reservation (unit_id);

CREATE TABLE webhook_event (
    id          text PRIMARY KEY,
    provider    text NOT NULL,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- One clock for every worker: the database's. Tests move it through clock_offset
-- instead of sleeping; in production the table is empty and the offset is zero.
CREATE TABLE clock_offset (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    shift    interval NOT NULL
);

CREATE FUNCTION innkeep_now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT now() + coalesce((SELECT shift FROM clock_offset), interval '0')
$$;
