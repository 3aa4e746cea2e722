-- Who acted, as they were at that moment, in each audit entry (inside its hash): the user's name,
-- realm and tenant, and the credential's name. `format` says which fields an entry's hash covers:
-- 1 for entries written before these columns existed, 2 for entries that hash them too.

ALTER TABLE audit_entries ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entries ADD COLUMN actor_realm TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entries ADD COLUMN actor_tenant TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entries ADD COLUMN credential_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entries ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
CREATE INDEX audit_by_actor_name ON audit_entries (actor_name)
