-- name: rulebook
SELECT p.id, p.slug, p.name, p.currency, p.pricing_rules,
       (innkeep_now(p.id) AT TIME ZONE p.time_zone)::date AS today,
       coalesce((SELECT array_agg(rt.slug ORDER BY rt.position, rt.slug) FROM room_type rt
                  WHERE rt.property_id = p.id AND rt.active), '{}') AS room_types
FROM property p WHERE p.slug = %(slug)s

-- name: lock_rules
SELECT p.id, p.pricing_rules FROM property p WHERE p.slug = %(slug)s FOR UPDATE

-- name: store_rules
-- A new version tells every worker (NOTIFY) and every cache key that prices changed, as
-- `property apply` does.
UPDATE property SET pricing_rules = %(rules)s, version = version + 1, updated_at = now()
WHERE id = %(property_id)s AND pricing_rules IS DISTINCT FROM %(rules)s
RETURNING version

-- name: record_rule_change
INSERT INTO rule_change (property_id, changed_by, summary, rules_before, rules_after)
VALUES (%(property_id)s, %(changed_by)s, %(summary)s, %(before)s, %(after)s)

-- name: rule_changes
SELECT changed_by, changed_at, summary FROM rule_change
WHERE property_id = %(property_id)s ORDER BY changed_at DESC, id DESC LIMIT %(limit)s
