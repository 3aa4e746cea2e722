-- Groups of users (of a tenant, or of the platform when tenant_id is NULL), their members, and role
-- bindings to groups: a member holds every role bound to its groups.

CREATE TABLE user_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES user_groups (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX group_members_by_user ON group_members (user_id);

CREATE TABLE group_role_bindings (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES user_groups (id),
    role TEXT NOT NULL,
    tenant_id TEXT REFERENCES tenants (id),
    project_id TEXT REFERENCES projects (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX group_role_bindings_by_group ON group_role_bindings (group_id)
