-- Manage-booking keys become random (their hash in booking_secret_hash, the key itself only
-- in the confirmation e-mail) instead of an HMAC of the hold id under INNKEEP_SECRET_KEY.
-- The guest's own browser gets a second key, derived from its hold token (random, stored
-- only hashed), so a confirm call can give the link again after the webhook booked first.
ALTER TABLE reservation ADD COLUMN guest_key_hash bytea;

-- Bookings made before keep their link: their stored hash still opens the page. Except
-- those whose key came from the public development key (`innkeep serve` used it when no
-- INNKEEP_ENV was set): anyone who learned the hold id could compute it, so it is revoked.
-- The HMAC-SHA256 of that key is spelled out (its inner and outer padded keys below), as
-- pgcrypto may be missing: sha256(opad || sha256(ipad || 'booking:' || id)), base64url.
UPDATE reservation
SET booking_secret_hash = NULL
WHERE booking_secret_hash IS NOT NULL
  AND booking_secret_hash = sha256(convert_to(rtrim(translate(encode(sha256(
        '\x3532323739392c7138392a3930332c31393228712f393f2e39287138337132332871292f39713532712c2e3338293f283533325c5c5c5c5c5c5c5c5c5c5c5c5c'::bytea
        || sha256('\x5f58585d5353461b525340535a59465b5358421b4553554453421b52591b5859421b4345531b5f581b464459524355425f595836363636363636363636363636'::bytea
                  || 'booking:'::bytea || uuid_send(id))),
      'base64'), '+/', '-_'), '='), 'UTF8'));

-- Where the guest reached the service at checkout came from the request's Host header;
-- links now come from INNKEEP_PUBLIC_URL alone (widget.links).
ALTER TABLE reservation DROP COLUMN site_url;
