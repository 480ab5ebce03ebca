-- Which websites may embed a property (decision 8): the widget page and per-property CORS.

-- name: embed_policy
SELECT p.id, p.slug, p.name, p.locale, p.allowed_origins, p.version
FROM property p WHERE p.slug = %(slug)s

-- name: hold_property_origins
-- The origins of the property a hold belongs to: CORS for /api/v1/holds/{id}/….
SELECT p.allowed_origins, p.version
FROM reservation r JOIN property p ON p.id = r.property_id
WHERE r.id = %(id)s

-- name: properties_allowing
-- The properties a page on %(origin)s may embed (origins are stored normalised): the loader's
-- hint, so that it asks for their widget pages beside the embed check. Bounded: a hint only.
-- Written as containment so that the GIN index property_allowed_origins answers it (an
-- `= ANY` would read every property's row).
SELECT p.slug FROM property p
WHERE p.allowed_origins @> ARRAY[%(origin)s]::text[]
ORDER BY p.slug
LIMIT %(most)s
