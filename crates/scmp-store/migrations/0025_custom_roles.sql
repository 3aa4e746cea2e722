-- Custom roles: named sets of the platform's actions (their operation ids, as a JSON array),
-- defined for the platform (tenant_id NULL; bound at any level) or by one tenant (bound only inside
-- it, at the tenant or project level). Bindings name a role by its name, unique on the platform.
CREATE TABLE custom_roles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    level TEXT NOT NULL CHECK (level IN ('platform', 'tenant', 'project')),
    description TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (tenant_id IS NULL OR level <> 'platform')
)
