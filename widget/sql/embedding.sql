-- Which websites may embed a property (decision 8): the widget page and per-property CORS.

-- name: embed_policy
SELECT p.id, p.slug, p.name, p.locale, p.allowed_origins, p.version
FROM property p WHERE p.slug = %(slug)s

-- name: hold_property_origins
-- The origins of the property a hold belongs to: CORS for /api/v1/holds/{id}/….
SELECT p.allowed_origins, p.version
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.id = %(id)s
