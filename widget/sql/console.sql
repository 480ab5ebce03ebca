-- The owner's console: users, memberships, sessions (widget/accounts).
--
-- Clocks: what concerns one property (its today, its holds, its charges) reads that
-- property's clock, innkeep_now(property_id), which a test property may have moved forward
-- (decision 16). Accounts, sessions, logins, resets and invites belong to no one property:
-- they read the deployment's clock, innkeep_now().

-- name: property_id_by_slug
SELECT id FROM property WHERE slug = %(slug)s

-- name: insert_user
INSERT INTO console_user (email, password_hash, language)
VALUES (%(email)s, %(password_hash)s, %(language)s)
ON CONFLICT (email) DO NOTHING
RETURNING id

-- name: user_by_email
SELECT id, email, password_hash, language, totp_secret
FROM console_user WHERE email = %(email)s

-- name: upsert_membership
INSERT INTO membership (user_id, property_id, role)
VALUES (%(user_id)s, %(property_id)s, %(role)s)
ON CONFLICT (user_id, property_id) DO UPDATE SET role = excluded.role

-- name: users_of_property
SELECT u.email, m.role, u.language, u.totp_secret IS NOT NULL AS two_factor, p.slug
FROM membership m
JOIN console_user u ON u.id = m.user_id
JOIN property p ON p.id = m.property_id
WHERE %(slug)s::text IS NULL OR p.slug = %(slug)s
ORDER BY p.slug, m.role, u.email

-- name: remove_membership
DELETE FROM membership m USING console_user u, property p
WHERE m.user_id = u.id AND m.property_id = p.id AND u.email = %(email)s AND p.slug = %(slug)s
RETURNING m.user_id

-- name: remove_user
DELETE FROM console_user WHERE email = %(email)s RETURNING id

-- name: user_without_membership
DELETE FROM console_user u
WHERE u.id = %(user_id)s AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id)
RETURNING u.id

-- name: set_password
UPDATE console_user SET password_hash = %(password_hash)s, password_changed_at = now()
WHERE email = %(email)s
RETURNING id

-- name: rehash_password
UPDATE console_user SET password_hash = %(password_hash)s WHERE id = %(user_id)s

-- name: insert_session
-- The deployment's clock: a session is a user's, not a property's (so for every session query).
INSERT INTO console_session (token_hash, user_id, second_factor_pending, expires_at, address)
VALUES (%(token_hash)s, %(user_id)s, %(pending)s,
        innkeep_now() + make_interval(secs => %(seconds)s), %(address)s)

-- name: delete_session
DELETE FROM console_session WHERE token_hash = %(token_hash)s

-- name: delete_sessions_of_user
DELETE FROM console_session WHERE user_id = %(user_id)s

-- name: delete_expired_sessions
DELETE FROM console_session WHERE expires_at <= innkeep_now()

-- name: session_viewer
SELECT u.id AS user_id, u.email, u.language, s.second_factor_pending,
       u.totp_secret IS NOT NULL AS two_factor,
       coalesce(
         (SELECT jsonb_agg(jsonb_build_object('slug', p.slug, 'name', p.name, 'role', m.role,
                                              'requires_two_factor',
                                              p.console_requires_two_factor)
                           ORDER BY p.name)
          FROM membership m JOIN property p ON p.id = m.property_id
          WHERE m.user_id = u.id),
         '[]'::jsonb) AS memberships
FROM console_session s JOIN console_user u ON u.id = s.user_id
WHERE s.token_hash = %(token_hash)s AND s.expires_at > innkeep_now()

-- name: member_of_property
SELECT p.id AS property_id, p.slug, p.name, p.time_zone, p.currency, p.locale, m.role,
       p.console_requires_two_factor AS requires_two_factor
FROM membership m JOIN property p ON p.id = m.property_id
WHERE m.user_id = %(user_id)s AND p.slug = %(slug)s

-- name: record_event
INSERT INTO console_event (property_id, reservation_id, actor, action, detail)
VALUES (%(property_id)s, %(reservation_id)s, %(actor)s, %(action)s, %(detail)s)

-- name: front_desk
-- Confirmed stays that arrive, leave or stay over on the property's today or tomorrow.
WITH here AS (
    SELECT (innkeep_now(id) AT TIME ZONE time_zone)::date AS today FROM property
    WHERE id = %(property_id)s
)
-- A group's other rooms show with the booking's reference, guest and payment (its first
-- room carries them).
SELECT b.reference, lower(r.stay) AS check_in, upper(r.stay) AS check_out,
       u.name AS unit, rt.name AS room_type, b.guest, r.adults, r.children, r.quote,
       b.payment_status, b.payment_provider, b.payment_captured_at IS NOT NULL AS captured,
       here.today, room_paid(r) AS paid,  -- what was taken for this room (migrations 0026, 0038)
       room_owed_online(r) AS owed_online  -- still to be taken online (0038)
FROM reservation r
CROSS JOIN here
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND r.status = 'confirmed' AND b.reference IS NOT NULL
  AND lower(r.stay) <= here.today + 1 AND upper(r.stay) >= here.today
ORDER BY u.position, u.name, lower(r.stay)

-- name: property_today
SELECT (innkeep_now(id) AT TIME ZONE time_zone)::date AS today FROM property
WHERE id = %(property_id)s

-- name: login_failures
-- Failed logins in the window for this account and for this address, and when the oldest
-- of each leaves the window. The deployment's clock (for every login and guessing query):
-- an account and an address are not one property's.
SELECT
  (SELECT count(*) FROM console_login_failure
    WHERE email = %(email)s AND at > innkeep_now() - make_interval(secs => %(window)s))
    AS by_account,
  (SELECT ceil(extract(epoch FROM min(at) + make_interval(secs => %(window)s) - innkeep_now()))
     FROM console_login_failure
    WHERE email = %(email)s AND at > innkeep_now() - make_interval(secs => %(window)s))
    AS account_free_in,
  (SELECT count(*) FROM console_login_failure
    WHERE address = %(address)s AND at > innkeep_now() - make_interval(secs => %(window)s))
    AS by_address,
  (SELECT ceil(extract(epoch FROM min(at) + make_interval(secs => %(window)s) - innkeep_now()))
     FROM console_login_failure
    WHERE address = %(address)s AND at > innkeep_now() - make_interval(secs => %(window)s))
    AS address_free_in

-- name: record_login_failure
INSERT INTO console_login_failure (email, address, at) VALUES (%(email)s, %(address)s, innkeep_now())

-- name: forget_login_failures
DELETE FROM console_login_failure
WHERE email = %(email)s OR at < innkeep_now() - make_interval(secs => %(window)s)

-- name: claim_guessing_notice
-- At most one notice an hour per account: true when this call may send one.
INSERT INTO console_guessing_notice (user_id, sent_at)
SELECT id, innkeep_now() FROM console_user WHERE email = %(email)s
ON CONFLICT (user_id) DO UPDATE SET sent_at = excluded.sent_at
  WHERE console_guessing_notice.sent_at < innkeep_now() - interval '1 hour'
RETURNING user_id

-- name: owners_told_of_guessing
-- The owners of the properties an account belongs to (the account itself left out: it has
-- its own notice), each with the names of those properties.
SELECT o.email, string_agg(DISTINCT p.name, ', ') AS properties
FROM console_user u
JOIN membership m ON m.user_id = u.id
JOIN property p ON p.id = m.property_id
JOIN membership om ON om.property_id = m.property_id AND om.role = 'owner'
JOIN console_user o ON o.id = om.user_id AND o.id <> u.id
WHERE u.email = %(email)s
GROUP BY o.email
ORDER BY o.email

-- name: enqueue_console_message
-- The deployment's clock: an account's e-mail, sent in the outbox workers' real time.
INSERT INTO outbox_message (reservation_id, kind, recipient, subject, body_text, body_html,
                            next_attempt_at)
VALUES (NULL, %(kind)s, %(recipient)s, %(subject)s, %(text)s, %(html)s, innkeep_now())

-- name: user_by_id
SELECT id, email, password_hash, language, totp_secret FROM console_user WHERE id = %(user_id)s

-- name: recent_resets
-- The deployment's clock (for every reset and recovery code query): an account's.
SELECT count(*) AS n FROM console_password_reset
WHERE user_id = %(user_id)s AND expires_at > innkeep_now() - interval '1 hour'

-- name: insert_reset
INSERT INTO console_password_reset (token_hash, user_id, expires_at)
VALUES (%(token_hash)s, %(user_id)s, innkeep_now() + make_interval(secs => %(seconds)s))

-- name: reset_is_live
SELECT u.email FROM console_password_reset r JOIN console_user u ON u.id = r.user_id
WHERE r.token_hash = %(token_hash)s AND r.used_at IS NULL AND r.expires_at > innkeep_now()

-- name: use_reset
UPDATE console_password_reset SET used_at = innkeep_now()
WHERE token_hash = %(token_hash)s AND used_at IS NULL AND expires_at > innkeep_now()
RETURNING user_id

-- name: use_every_reset_of_user
UPDATE console_password_reset SET used_at = innkeep_now()
WHERE user_id = %(user_id)s AND used_at IS NULL

-- name: set_password_by_id
UPDATE console_user SET password_hash = %(password_hash)s, password_changed_at = now()
WHERE id = %(user_id)s
RETURNING email

-- name: set_totp_secret
UPDATE console_user SET totp_secret = %(secret)s WHERE id = %(user_id)s

-- name: use_totp_step
-- A TOTP code signs in once: only a step later than the last one used is taken.
UPDATE console_user SET totp_last_step = %(step)s
WHERE id = %(user_id)s AND (totp_last_step IS NULL OR totp_last_step < %(step)s)
RETURNING id

-- name: restart_totp_steps
-- A new secret: its first code (the one that turned it on) counts as used.
UPDATE console_user SET totp_last_step = %(step)s WHERE id = %(user_id)s

-- name: delete_recovery_codes
DELETE FROM console_recovery_code WHERE user_id = %(user_id)s

-- name: insert_recovery_code
INSERT INTO console_recovery_code (user_id, code_hash) VALUES (%(user_id)s, %(code_hash)s)

-- name: use_recovery_code
UPDATE console_recovery_code SET used_at = innkeep_now()
WHERE user_id = %(user_id)s AND code_hash = %(code_hash)s AND used_at IS NULL
RETURNING user_id

-- name: session_user
SELECT s.user_id, u.email, u.totp_secret, s.second_factor_pending
FROM console_session s JOIN console_user u ON u.id = s.user_id
WHERE s.token_hash = %(token_hash)s AND s.expires_at > innkeep_now()

-- name: require_two_factor
UPDATE property SET console_requires_two_factor = %(required)s WHERE id = %(property_id)s

-- name: set_language
UPDATE console_user SET language = %(language)s WHERE id = %(user_id)s

-- name: tape_units
SELECT u.id, u.name, rt.name AS room_type
FROM unit u JOIN room_type rt ON rt.id = u.room_type_id
WHERE u.property_id = %(property_id)s AND u.active
ORDER BY rt.position, u.position, u.name

-- name: tape_reservations
-- Everything that takes a unit's night in the month: bookings, blocks, live holds, stays
-- imported from a channel (with its name), and the channels each is in open conflict with.
-- A group's other rooms show with the booking's reference and guest.
SELECT r.id, r.unit_id, lower(r.stay) AS first_night, upper(r.stay) AS check_out,
       r.status::text AS status, b.reference, b.guest ->> 'name' AS guest_name,
       r.hold_expires_at, r.block_reason, ch.name AS channel,
       (SELECT string_agg(DISTINCT kc.name, ', ')
        FROM sync_conflict k JOIN channel kc ON kc.id = k.channel_id
        WHERE k.reservation_id = r.id AND k.resolved_at IS NULL) AS conflict_with
FROM reservation r
JOIN reservation b ON b.id = coalesce(r.group_id, r.id)
LEFT JOIN channel ch ON ch.id = r.source_channel_id
WHERE r.property_id = %(property_id)s
  AND r.status IN ('held', 'confirmed', 'blocked')
  AND NOT (r.status = 'held' AND r.hold_expires_at <= innkeep_now(r.property_id))
  AND r.stay && daterange(%(first)s, %(end)s)
ORDER BY r.unit_id, lower(r.stay)

-- name: booking_of_property
-- A booking as the console reads it: the columns of payments.sql booking_by_reference
-- (decoded as rows.Booking), its unit and payment details, only on the member's property.
SELECT r.id, r.reference, r.status::text AS status, r.version,
       r.guest, r.quote, lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults,
       r.children, r.payment_provider, r.payment_ref, r.payment_status, r.cancelled_at,
       r.refund_amount, r.refund_ref, r.payment_captured_at, r.created_at, r.promo_code,
       EXISTS (SELECT 1 FROM booking_change c WHERE c.reservation_id = r.id) AS dates_changed,
       rt.slug AS room_type, rt.name AS room_type_name, u.id AS unit_id, u.name AS unit,
       p.slug AS property_slug, p.name AS property_name, p.currency,
       coalesce(r.cancellation_policy, p.cancellation_policy) AS cancellation_policy,
       p.rate_plans, p.extras, r.payment_terms,
       booking_paid(r) AS paid,  -- what was taken for the booking (migration 0026)
       -- What the payment at booking holds (less what changes of dates gave back from it,
       -- the refunds the provider refused not; a group's first room carries every room's),
       -- as booking_paid counts it.
       (coalesce(r.first_payment,
                 (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                  WHERE m.group_id = r.id),
                 (r.quote->>'due_now')::bigint)
        + refunds_not_made(r))::bigint AS first_payment,
       -- What it took at booking, once a change of dates gave part of it back (0037).
       r.first_payment_taken,
       -- What is still to be taken online: the balance not yet charged, or what a change of
       -- dates costs more (waiting for the saved card or the guest's link).
       (SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
        WHERE c.reservation_id = r.id AND c.kind IN ('balance', 'change')
          AND c.status IN ('scheduled', 'requires_action', 'balance_due'))::bigint
       AS owed_online,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today,
       EXISTS (SELECT 1 FROM booking_charge c WHERE c.reservation_id = r.id
               AND c.kind = 'balance' AND c.status = 'succeeded') AS balance_taken,
       (SELECT jsonb_agg(m.quote ORDER BY m.group_position) FROM reservation m
        WHERE m.group_id = r.id) AS group_quotes,
       group_rooms(r) AS group_rooms
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.reference = %(reference)s AND r.property_id = %(property_id)s

-- name: booking_messages
SELECT kind, recipient, subject, created_at, sent_at, failed_at, attempts
FROM outbox_message WHERE reservation_id = %(id)s ORDER BY created_at, id

-- name: booking_events
SELECT actor, action, detail, at FROM console_event
WHERE reservation_id = %(id)s ORDER BY at, id

-- name: units_for_move
SELECT u.id, u.name, rt.name AS room_type,
       EXISTS (SELECT 1 FROM reservation o
               WHERE o.unit_id = u.id AND o.id <> %(id)s
                 AND o.status IN ('held', 'confirmed', 'blocked')
                 AND NOT (o.status = 'held' AND o.hold_expires_at <= innkeep_now(o.property_id))
                 AND o.stay && daterange(%(check_in)s, %(check_out)s)) AS taken
FROM unit u JOIN room_type rt ON rt.id = u.room_type_id
WHERE u.property_id = %(property_id)s AND u.active
ORDER BY rt.position, u.position, u.name

-- name: move_booking
-- Fenced by version; the exclusion constraint refuses a unit that is not free.
UPDATE reservation SET unit_id = %(unit_id)s, version = version + 1, updated_at = now()
WHERE id = %(id)s AND version = %(version)s AND status = 'confirmed'
  AND property_id = %(property_id)s
RETURNING id

-- name: group_room_for_move
-- Room ``position`` (1 or more) of the group whose first room is ``id``.
SELECT m.id, m.unit_id, u.name AS unit, m.status::text AS status
FROM reservation m JOIN unit u ON u.id = m.unit_id
WHERE m.group_id = %(id)s AND m.id <> %(id)s AND m.group_position = %(position)s

-- name: move_group_room
-- Fenced by the booking's version (its first room's, which the page read, is changed too,
-- so stale pages refuse); the exclusion constraint refuses a unit that is not free.
WITH lead AS (
    UPDATE reservation SET version = version + 1, updated_at = now()
    WHERE id = %(group_id)s AND version = %(version)s AND status = 'confirmed'
      AND property_id = %(property_id)s
    RETURNING id)
UPDATE reservation r SET unit_id = %(unit_id)s, version = r.version + 1, updated_at = now()
FROM lead
WHERE r.id = %(id)s AND r.group_id = lead.id AND r.id <> lead.id AND r.status = 'confirmed'
RETURNING r.id

-- name: expire_lapsed_holds_of_unit
UPDATE reservation
SET status = 'expired', version = version + 1, updated_at = now()
WHERE unit_id = %(unit_id)s AND status = 'held' AND hold_expires_at <= innkeep_now(property_id)
  AND stay && daterange(%(check_in)s, %(check_out)s)

-- name: in_the_way_of_move
-- A group's other rooms carry no reference: they are named by their booking's.
SELECT status::text AS status,
       coalesce(reference, (SELECT g.reference FROM reservation g
                            WHERE g.id = reservation.group_id)) AS reference,
       lower(stay) AS first_night,
       upper(stay) - 1 AS last_night, hold_expires_at, block_reason
FROM reservation
WHERE unit_id = %(unit_id)s AND id <> %(id)s AND stay && daterange(%(check_in)s, %(check_out)s)
  AND status IN ('held', 'confirmed', 'blocked')
ORDER BY lower(stay)

-- name: unit_of_property_by_id
SELECT id, name FROM unit WHERE id = %(unit_id)s AND property_id = %(property_id)s AND active

-- name: confirmations_sent
-- Locks the booking's row: two clicks at once count one after the other.
SELECT (SELECT count(*) FROM outbox_message
        WHERE reservation_id = r.id AND kind = 'guest_confirmation') AS n
FROM reservation r WHERE r.id = %(id)s
FOR UPDATE

-- name: replace_booking_secret
UPDATE reservation SET booking_secret_hash = %(secret_hash)s WHERE id = %(id)s

-- name: pay_at_property
-- A booking taken by the front desk: nothing is charged online; all is due at the property.
UPDATE reservation SET payment_provider = 'property', payment_status = 'at_property',
       first_payment = 0, updated_at = now()
WHERE id = %(id)s AND status = 'held' AND hold_expires_at > innkeep_now(property_id)
RETURNING id

-- name: room_types_of_property
SELECT slug, name FROM room_type WHERE property_id = %(property_id)s AND active
ORDER BY position, name

-- name: channel_history
-- The Channels page's history: what owners did to exports, feeds, webhooks and conflicts.
SELECT actor, action, detail, at FROM console_event
WHERE property_id = %(property_id)s
  AND action IN ('export_rotated', 'feed_connected', 'feed_disconnected', 'webhook_resent',
                 'webhook_edited', 'conflict_resolved')
ORDER BY at DESC, id DESC
LIMIT 20

-- name: delivery_of_property
SELECT d.id FROM webhook_delivery d WHERE d.id = %(id)s AND d.property_id = %(property_id)s

-- name: insert_invite
-- The deployment's clock (for every invite query): an invitation is to an account.
INSERT INTO console_invite (token_hash, property_id, email, role, invited_by, expires_at,
                            sent_at)
VALUES (%(token_hash)s, %(property_id)s, %(email)s, %(role)s, %(invited_by)s,
        innkeep_now() + make_interval(secs => %(seconds)s), innkeep_now())

-- name: lock_invites_of_property
-- Held while an invitation is counted and sent: two at once cannot both take the last one.
SELECT pg_advisory_xact_lock(hashtextextended('console_invite:' || %(property_id)s, 0))

-- name: invites_sent
-- The deployment's clock: invitations are to accounts, like the other invite queries.
-- Invitations sent in the window from this property and by this user (on any property),
-- and when the oldest of each leaves the window.
SELECT
  (SELECT count(*) FROM console_invite
    WHERE property_id = %(property_id)s
      AND sent_at > innkeep_now() - make_interval(secs => %(window)s)) AS by_property,
  (SELECT ceil(extract(epoch FROM min(sent_at) + make_interval(secs => %(window)s)
                                  - innkeep_now()))
     FROM console_invite
    WHERE property_id = %(property_id)s
      AND sent_at > innkeep_now() - make_interval(secs => %(window)s)) AS property_free_in,
  (SELECT count(*) FROM console_invite
    WHERE invited_by = %(invited_by)s
      AND sent_at > innkeep_now() - make_interval(secs => %(window)s)) AS by_user,
  (SELECT ceil(extract(epoch FROM min(sent_at) + make_interval(secs => %(window)s)
                                  - innkeep_now()))
     FROM console_invite
    WHERE invited_by = %(invited_by)s
      AND sent_at > innkeep_now() - make_interval(secs => %(window)s)) AS user_free_in

-- name: invite_is_live
SELECT i.email, i.role, p.name AS property_name,
       EXISTS (SELECT 1 FROM console_user u WHERE u.email = i.email) AS has_account
FROM console_invite i JOIN property p ON p.id = i.property_id
WHERE i.token_hash = %(token_hash)s AND i.used_at IS NULL AND i.expires_at > innkeep_now()

-- name: use_invite
UPDATE console_invite SET used_at = innkeep_now()
WHERE token_hash = %(token_hash)s AND used_at IS NULL AND expires_at > innkeep_now()
RETURNING email, role, property_id

-- name: other_owners
SELECT count(*) AS n FROM membership m JOIN console_user u ON u.id = m.user_id
WHERE m.property_id = %(property_id)s AND m.role = 'owner' AND u.email <> %(email)s

-- name: date_change_target
-- What changing a booking's dates needs: the stay, the party and choices to price it again,
-- the money taken (the first payment's remainder, the saved card) and a scheduled balance.
SELECT r.id, r.property_id, r.reference, r.version, r.status::text AS status, r.unit_id,
       EXISTS (SELECT 1 FROM reservation m WHERE m.group_id = r.id) AS in_group,
       u.name AS unit,
       lower(r.stay) AS check_in, upper(r.stay) AS check_out, r.adults, r.children, r.quote,
       r.promo_code, r.payment_provider, r.payment_ref, r.customer_ref,
       r.payment_method_ref, rt.slug AS room_type, p.currency,
       -- A group's first room carries the one payment for every room.
       coalesce(r.first_payment,
                (SELECT sum((m.quote->>'due_now')::bigint) FROM reservation m
                 WHERE m.group_id = r.id), (r.quote->>'due_now')::bigint)::bigint
       AS first_payment,
       -- What rooms cancelled alone got back from that payment already.
       (SELECT coalesce(sum(m.refund_amount), 0) FROM reservation m
        WHERE m.group_id = r.id AND m.id <> r.id AND m.status = 'cancelled')::bigint
       AS given_back,
       b.id AS balance_id, b.amount AS balance_amount,
       -- A group's rooms still booked (its first included), whose dates change together.
       (SELECT jsonb_agg(jsonb_build_object(
                   'id', m.id, 'position', coalesce(m.group_position, 0), 'unit_id', m.unit_id,
                   'unit', mu.name, 'room_type', mt.slug, 'room_type_name', mt.name,
                   'adults', m.adults, 'children', m.children, 'quote', m.quote,
                   'paid', room_paid(m))
                 ORDER BY m.group_position)
        FROM reservation m JOIN unit mu ON mu.id = m.unit_id
        JOIN room_type mt ON mt.id = mu.room_type_id
        WHERE m.group_id = r.id AND m.status = 'confirmed') AS rooms,
       (SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
        WHERE c.reservation_id = r.id AND c.kind = 'change'
          AND c.status IN ('scheduled', 'requires_action', 'balance_due'))::bigint
       AS change_owed,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today
FROM reservation r
JOIN property p ON p.id = r.property_id
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
LEFT JOIN booking_charge b
       ON b.reservation_id = r.id AND b.kind = 'balance' AND b.status = 'scheduled'
WHERE r.reference = %(reference)s AND r.property_id = %(property_id)s

-- name: change_stay
-- Fenced by version; the exclusion constraint refuses nights the unit does not have free.
-- first_payment: what the payment at booking still holds after this change's refund (for
-- a group, every room's; once set, what was paid no longer follows the rooms' quotes).
UPDATE reservation
SET stay = daterange(%(check_in)s, %(check_out)s), quote = %(quote)s,
    quote_hash = %(quote_hash)s,
    first_payment = %(first_payment)s,
    -- What the payment took at booking: written by the first change (it is what the
    -- payment held until then); never again, nor for a booking changed before 0037.
    first_payment_taken = CASE
        WHEN first_payment_taken IS NOT NULL THEN first_payment_taken
        WHEN NOT EXISTS (SELECT 1 FROM booking_change c WHERE c.reservation_id = %(id)s)
        THEN %(first_payment_before)s END,
    -- A group's first room: what was taken for it and what it still owes (migration 0036),
    -- and the charges that went through so far (already in its rooms' room_taken).
    room_taken = %(room_taken)s, room_owed = %(room_owed)s,
    charges_counted = CASE WHEN %(room_taken)s::bigint IS NULL THEN NULL
        ELSE (SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
              WHERE c.reservation_id = %(id)s AND c.kind IN ('balance', 'change')
                AND c.status = 'succeeded') END,
    -- And the refunds of earlier changes the provider refused and the other charges (a
    -- no-show fee): the first room's room_paid counted them, so room_taken has them (0038).
    extras_counted = CASE WHEN %(room_taken)s::bigint IS NULL THEN NULL
        ELSE (SELECT coalesce(sum(c.amount), 0) FROM booking_change c
              WHERE c.reservation_id = %(id)s AND c.settlement = 'refund'
                AND c.status = 'failed')
             + (SELECT coalesce(sum(c.amount), 0) FROM booking_charge c
                WHERE c.reservation_id = %(id)s AND c.kind NOT IN ('balance', 'change')
                  AND c.status = 'succeeded') END,
    version = version + 1, updated_at = now()
WHERE id = %(id)s AND version = %(version)s AND status = 'confirmed'
  AND property_id = %(property_id)s
RETURNING version

-- name: change_group_room_stay
-- Another room of a group, with its first room, in the same transaction, with what was
-- taken for it and what it still owes (migration 0036).
UPDATE reservation
SET stay = daterange(%(check_in)s, %(check_out)s), quote = %(quote)s,
    quote_hash = %(quote_hash)s, room_taken = %(room_taken)s, room_owed = %(room_owed)s,
    version = version + 1, updated_at = now()
WHERE id = %(id)s AND group_id = %(group_id)s AND id <> %(group_id)s AND status = 'confirmed'
RETURNING version

-- name: record_date_change
INSERT INTO booking_change (id, reservation_id, from_version, old_stay, new_stay, old_total,
                            new_total, difference, settlement, status, actor, amount,
                            balance_dropped)
VALUES (%(id)s, %(reservation_id)s, %(from_version)s,
        daterange(%(old_check_in)s, %(old_check_out)s),
        daterange(%(check_in)s, %(check_out)s), %(old_total)s, %(new_total)s,
        %(difference)s, %(settlement)s, %(status)s, %(actor)s, %(amount)s,
        %(balance_dropped)s)

-- name: date_change_settled
-- Once: a settled change is never settled again (a late answer to an earlier ask changes
-- nothing). The booking's version moves on, so a change of dates prepared before this (on
-- what its rooms had paid) is refused as stale rather than written on old figures.
WITH settled AS (
    UPDATE booking_change
    SET status = %(status)s, payment_ref = %(payment_ref)s, leased_until = NULL
    WHERE id = %(id)s AND status = 'pending'
    RETURNING reservation_id)
UPDATE reservation SET version = version + 1, updated_at = now()
WHERE id IN (SELECT reservation_id FROM settled)

-- name: claim_change_refunds
-- Changes' refunds still pending five minutes after the change (longer than a call to the
-- provider takes, retries included: the change's own call has ended) and less than 23
-- hours after it (Stripe forgets an idempotency key after a day: asked again later, it
-- would refund twice), one worker at a time (a lease), the least recently asked first.
-- Real time throughout: the provider's clock, not a property's.
UPDATE booking_change c
SET leased_until = now() + make_interval(secs => %(lease_seconds)s), tries = c.tries + 1,
    asked_at = now()
FROM reservation r
WHERE c.id IN (
        SELECT d.id FROM booking_change d
        WHERE d.settlement = 'refund' AND d.status = 'pending' AND d.amount > 0
          AND d.created_at <= now() - interval '5 minutes'
          AND d.created_at > now() - interval '23 hours'
          AND (d.leased_until IS NULL OR d.leased_until <= now())
        ORDER BY coalesce(d.asked_at, d.created_at)
        LIMIT %(limit)s
        FOR UPDATE SKIP LOCKED)
  AND r.id = c.reservation_id AND r.payment_ref IS NOT NULL
RETURNING c.id, c.amount, r.payment_ref

-- name: change_refund_unanswered
UPDATE booking_change SET leased_until = NULL, last_error = %(error)s
WHERE id = %(id)s AND status = 'pending'

-- name: change_refunds_too_old
-- Still pending a day after the change: no longer asked (the key is forgotten), said once.
UPDATE booking_change SET last_error = 'not answered within a day; not asked again'
WHERE settlement = 'refund' AND status = 'pending' AND amount > 0
  AND created_at <= now() - interval '23 hours'
  AND last_error IS DISTINCT FROM 'not answered within a day; not asked again'
RETURNING id, reservation_id

-- name: balance_follows_change
-- A balance not charged yet takes the difference (or, when it no longer has anything to
-- take, is never charged).
-- Never under a worker taking it now (the lease: the workers' real time, the deployment's
-- clock): nothing changes, and the caller refuses the change.
UPDATE booking_charge
SET amount = CASE WHEN %(amount)s > 0 THEN %(amount)s ELSE amount END,
    status = CASE WHEN %(amount)s > 0 THEN status ELSE 'canceled' END, updated_at = now()
WHERE id = %(id)s AND status = 'scheduled'
  AND (leased_until IS NULL OR leased_until <= innkeep_now())
RETURNING id

-- name: open_change_charge
-- What a date change costs more: to the saved card (leased to the caller, who charges it at
-- once) or left 'balance_due' for the guest's payment link. Due by the property's clock (as
-- claim_due_charge reads it); the lease is the workers' real time, the deployment's clock.
INSERT INTO booking_charge (id, reservation_id, kind, amount, currency, due_on, next_try_at,
                            status, reason, leased_until)
SELECT %(id)s, r.id, 'change', %(amount)s, p.currency,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date, innkeep_now(p.id), %(status)s,
       %(reason)s, innkeep_now() + make_interval(secs => %(lease_seconds)s)
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.id = %(reservation_id)s

-- name: change_charge_to_take
SELECT c.id, c.reservation_id, c.kind, c.amount, c.currency, c.tries, c.reason, c.status,
       r.status::text AS booking_status, r.reference, r.customer_ref, r.payment_method_ref
FROM booking_charge c JOIN reservation r ON r.id = c.reservation_id
WHERE c.id = %(id)s

-- name: date_changes_of_booking
SELECT lower(new_stay) AS first, upper(new_stay) AS end, difference, settlement, status,
       payment_ref, created_at, amount, balance_dropped
FROM booking_change WHERE reservation_id = %(id)s ORDER BY created_at

-- name: payment_links_sent
-- Locks the hold's row: two clicks at once count one after the other.
SELECT (SELECT count(*) FROM outbox_message
        WHERE reservation_id = r.id AND kind = 'guest_payment_link') AS n
FROM reservation r WHERE r.id = %(id)s
FOR UPDATE

-- name: hold_for_payment_link
-- The guest pays on their own page with the link's key (it is the hold's token now): the
-- room stays held the phone hold's time, longer than a widget hold.
UPDATE reservation
SET hold_token_hash = %(token_hash)s,
    hold_expires_at = greatest(hold_expires_at,
                               innkeep_now(property_id) + make_interval(mins => %(minutes)s)),
    updated_at = now()
WHERE id = %(id)s AND status = 'held' AND hold_expires_at > innkeep_now(property_id)
RETURNING hold_expires_at
