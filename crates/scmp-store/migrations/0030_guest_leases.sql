-- Leases: a policy (enforcement `lease`, its rule in `lease`, JSON) gives the guests it holds for
-- an expiry. The policies table is rebuilt for the new level (SQLite cannot change a CHECK
-- constraint in place). guest_leases keeps each guest's: when it ends, the latest it can be
-- extended to, how long before the end its owners are warned, the grace between the stop and the
-- decommissioning, and where it is (active, warned, stopped, ending).
CREATE TABLE policies_next (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    project_id TEXT REFERENCES projects (id),
    description TEXT NOT NULL,
    enforcement TEXT NOT NULL CHECK (enforcement IN ('deny', 'warn', 'require_approval', 'lease')),
    message TEXT,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    approval TEXT,
    itsm_secret TEXT,
    lease TEXT,
    CHECK (project_id IS NULL OR tenant_id IS NOT NULL),
    CHECK ((enforcement = 'require_approval') = (approval IS NOT NULL)),
    CHECK ((enforcement = 'lease') = (lease IS NOT NULL))
);

INSERT INTO policies_next (id, name, tenant_id, project_id, description, enforcement, message,
    source, active, version, created_at, updated_at, approval, itsm_secret)
SELECT id, name, tenant_id, project_id, description, enforcement, message, source, active,
    version, created_at, updated_at, approval, itsm_secret FROM policies;

DROP TABLE policies;

ALTER TABLE policies_next RENAME TO policies;

ALTER TABLE policy_versions ADD COLUMN lease TEXT;

CREATE TABLE guest_leases (
    guest_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    policy TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    max_until BIGINT NOT NULL,
    warn_ms BIGINT NOT NULL,
    grace_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'warned', 'stopped', 'ending')),
    updated_at BIGINT NOT NULL
);

CREATE INDEX guest_leases_by_end ON guest_leases (state, expires_at)
