-- Authentication realms besides scmp's own users: directories (LDAP, Active Directory) and OpenID
-- providers, of the platform (tenant_id NULL) or of one tenant. `settings` holds the realm's
-- settings as the API shows them (JSON, no secret); the bind password or client secret is sealed
-- like the platform's other secrets.
CREATE TABLE realms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    kind TEXT NOT NULL CHECK (kind IN ('ldap', 'ad', 'openid')),
    comment TEXT NOT NULL,
    settings TEXT NOT NULL,
    secret_sealed TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A user of a realm: `external_id` is its login name there (case-folded), unique in the realm.
ALTER TABLE users ADD COLUMN realm_id TEXT REFERENCES realms (id);
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_by_realm_login ON users (realm_id, external_id);

-- A group of a realm: `external_id` is the directory's group name; its members are the realm's.
ALTER TABLE user_groups ADD COLUMN realm_id TEXT REFERENCES realms (id);
ALTER TABLE user_groups ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX groups_by_realm_name ON user_groups (realm_id, external_id)
