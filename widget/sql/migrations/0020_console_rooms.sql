-- The owner's console, more of it (issue 16): rooms with photos and descriptions by
-- language, staff invitations, and two-factor codes that work once.

-- A room type's description by language ({"en": …, "it": …}); empty when the property
-- file writes one description (then `description` is all there is). `description` keeps
-- the text in the property's own language, for everything that reads one text.
ALTER TABLE room_type ADD COLUMN descriptions jsonb NOT NULL DEFAULT '{}';

-- Photos uploaded in the console, re-encoded and stripped of metadata by the service.
-- Kept in Postgres rather than the data folder: the service keeps no state of its own, so
-- every worker on every host serves the same photo (DESIGN.md, decision 9), and backups,
-- replicas and erasure come with the database's. A few hundred KB each, a few per room.
CREATE TABLE room_photo (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id  bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    room_type_id bigint NOT NULL REFERENCES room_type (id) ON DELETE CASCADE,
    -- SHA-256 of `image`, hex: part of the photo's URL, so a URL never changes meaning and
    -- may be cached for ever.
    digest       text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
    media_type   text NOT NULL CHECK (media_type IN ('image/webp', 'image/jpeg')),
    image        bytea NOT NULL,
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    alt          text NOT NULL DEFAULT '',
    position     integer NOT NULL DEFAULT 0,
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_photo_by_room_type ON room_photo (room_type_id, position);

-- Invitations to the console, sent by an owner (only the link's hash kept), each usable once.
CREATE TABLE console_invite (
    token_hash  bytea PRIMARY KEY,
    property_id bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (email = lower(email) AND email <> ''),
    role        text NOT NULL CHECK (role IN ('owner', 'staff')),
    invited_by  text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX console_invite_by_property ON console_invite (property_id);

-- The last TOTP time step (30 s) that signed this user in: a code works once.
ALTER TABLE console_user ADD COLUMN totp_last_step bigint;
