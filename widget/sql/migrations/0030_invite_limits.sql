-- Invitations are limited per property and per inviting user an hour (issue 16): when
-- each was sent. Earlier ones were sent seven days before they expire.
ALTER TABLE console_invite ADD COLUMN sent_at timestamptz;
UPDATE console_invite SET sent_at = expires_at - interval '7 days';
ALTER TABLE console_invite ALTER COLUMN sent_at SET NOT NULL;
ALTER TABLE console_invite ALTER COLUMN sent_at SET DEFAULT now();
CREATE INDEX console_invite_property_sent ON console_invite (property_id, sent_at);
CREATE INDEX console_invite_sender_sent ON console_invite (invited_by, sent_at);
DROP INDEX console_invite_by_property;
