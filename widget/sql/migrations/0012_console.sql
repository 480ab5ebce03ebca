-- The owner's console: its users, who may see which property (and as what), server-side
-- sessions, login throttling, password resets, two-factor login and the history of what
-- people did in the console.

CREATE TABLE console_user (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored as typed at `user add`, lower-cased: one account per mailbox.
    email               text NOT NULL UNIQUE CHECK (email = lower(email) AND email <> ''),
    -- Argon2id, in the PHC string format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    password_hash       text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    language            text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'de', 'fr', 'es', 'it')),
    -- TOTP (RFC 6238) secret, base32; set once the user has confirmed a first code.
    totp_secret         text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE membership (
    user_id     bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
    property_id bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, property_id)
);
CREATE INDEX membership_by_property ON membership (property_id);

-- An owner may require two-factor login of everyone on the property.
ALTER TABLE property ADD COLUMN console_requires_two_factor boolean NOT NULL DEFAULT false;

-- Only the SHA-256 of a session's token is kept: a copy of the table opens no session.
CREATE TABLE console_session (
    token_hash   bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
    -- Password checked, second factor still to come: the session opens no page yet.
    second_factor_pending boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    address      text
);
CREATE INDEX console_session_by_user ON console_session (user_id);
CREATE INDEX console_session_expiry ON console_session (expires_at);

-- Failed logins, counted per account and per address over a sliding window.
CREATE TABLE console_login_failure (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    address    text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_login_failure_email ON console_login_failure (email, at);
CREATE INDEX console_login_failure_address ON console_login_failure (address, at);

-- When the account's owner was last told that someone is guessing its password.
CREATE TABLE console_guessing_notice (
    user_id bigint PRIMARY KEY REFERENCES console_user (id) ON DELETE CASCADE,
    sent_at timestamptz NOT NULL
);

-- Single-use password reset links (only their hash kept).
CREATE TABLE console_password_reset (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Recovery codes for a lost authenticator (only their hash kept), each usable once.
CREATE TABLE console_recovery_code (
    user_id   bigint NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- Who did what, when: the history of a booking and of the property's console.
CREATE TABLE console_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    property_id    bigint NOT NULL REFERENCES property (id) ON DELETE CASCADE,
    reservation_id uuid REFERENCES reservation (id),
    -- Kept as text: the history outlives a removed user.
    actor          text NOT NULL,
    action         text NOT NULL,
    detail         text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_event_by_reservation ON console_event (reservation_id, at);

