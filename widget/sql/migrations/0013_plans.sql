-- Rate plans and extras (issue 15). A property's plans and extras are stored as the
-- property file wrote them (money in minor units), beside its pricing rules; a property
-- with none behaves as before. A hold keeps the cancellation policy of the plan it was
-- priced under, so a later change of the plan never changes what the guest agreed to
-- (NULL: the property's policy, as for every reservation made before plans).
ALTER TABLE property ADD COLUMN rate_plans jsonb NOT NULL DEFAULT '[]';
ALTER TABLE property ADD COLUMN extras jsonb NOT NULL DEFAULT '[]';
ALTER TABLE reservation ADD COLUMN cancellation_policy jsonb;
