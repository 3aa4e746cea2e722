-- Governance policies of the platform (tenant_id and project_id NULL), a tenant or a project:
-- `source` is the policy's rules as the server gives them (JSON: a built-in's parameters or Cedar
-- text), `version` counts its changes, each kept in policy_versions. policy_generation counts every
-- change of any policy, so that each server knows when to compile the set anew. admissions keeps
-- what recent admissions asked (the policies' input, JSON) for the dry runs of policy changes.
CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    project_id TEXT REFERENCES projects (id),
    description TEXT NOT NULL,
    enforcement TEXT NOT NULL CHECK (enforcement IN ('deny', 'warn')),
    message TEXT,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (project_id IS NULL OR tenant_id IS NOT NULL)
);

CREATE TABLE policy_versions (
    policy_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    enforcement TEXT NOT NULL,
    message TEXT,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE policy_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);

INSERT INTO policy_generation (id, generation) VALUES (1, 0);

CREATE TABLE admissions (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    input TEXT NOT NULL
);

CREATE INDEX admissions_by_time ON admissions (at)
