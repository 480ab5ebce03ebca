-- The owner's console: users, memberships, sessions (widget/accounts).

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
SELECT p.id AS property_id, p.slug, p.name, p.time_zone, p.currency, p.locale, m.role
FROM membership m JOIN property p ON p.id = m.property_id
WHERE m.user_id = %(user_id)s AND p.slug = %(slug)s

-- name: record_event
INSERT INTO console_event (property_id, reservation_id, actor, action, detail)
VALUES (%(property_id)s, %(reservation_id)s, %(actor)s, %(action)s, %(detail)s)

-- name: front_desk
-- Confirmed stays that arrive, leave or stay over on the property's today or tomorrow.
WITH here AS (
    SELECT (innkeep_now() AT TIME ZONE time_zone)::date AS today FROM property
    WHERE id = %(property_id)s
)
SELECT r.reference, lower(r.stay) AS check_in, upper(r.stay) AS check_out,
       u.name AS unit, rt.name AS room_type, r.guest, r.adults, r.children, r.quote,
       r.payment_status, r.payment_captured_at IS NOT NULL AS captured, here.today
FROM reservation r
CROSS JOIN here
JOIN unit u ON u.id = r.unit_id
JOIN room_type rt ON rt.id = u.room_type_id
WHERE r.property_id = %(property_id)s AND r.status = 'confirmed' AND r.reference IS NOT NULL
  AND lower(r.stay) <= here.today + 1 AND upper(r.stay) >= here.today
ORDER BY u.position, u.name, lower(r.stay)

-- name: property_today
SELECT (innkeep_now() AT TIME ZONE time_zone)::date AS today FROM property
WHERE id = %(property_id)s
