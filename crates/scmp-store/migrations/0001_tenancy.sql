-- Tenants and projects with hard quotas. Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Quota columns: limit_* is the quota, alloc_* (tenants) what its projects' quotas take of it,
-- used_* (projects) what the project's guests use. CHECK constraints back the conditional updates.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    limit_vcpus BIGINT NOT NULL CHECK (limit_vcpus >= 0),
    limit_memory_mib BIGINT NOT NULL CHECK (limit_memory_mib >= 0),
    limit_disk_gib BIGINT NOT NULL CHECK (limit_disk_gib >= 0),
    limit_guests BIGINT NOT NULL CHECK (limit_guests >= 0),
    alloc_vcpus BIGINT NOT NULL DEFAULT 0 CHECK (alloc_vcpus >= 0 AND alloc_vcpus <= limit_vcpus),
    alloc_memory_mib BIGINT NOT NULL DEFAULT 0 CHECK (alloc_memory_mib >= 0 AND alloc_memory_mib <= limit_memory_mib),
    alloc_disk_gib BIGINT NOT NULL DEFAULT 0 CHECK (alloc_disk_gib >= 0 AND alloc_disk_gib <= limit_disk_gib),
    alloc_guests BIGINT NOT NULL DEFAULT 0 CHECK (alloc_guests >= 0 AND alloc_guests <= limit_guests),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    limit_vcpus BIGINT NOT NULL CHECK (limit_vcpus >= 0),
    limit_memory_mib BIGINT NOT NULL CHECK (limit_memory_mib >= 0),
    limit_disk_gib BIGINT NOT NULL CHECK (limit_disk_gib >= 0),
    limit_guests BIGINT NOT NULL CHECK (limit_guests >= 0),
    used_vcpus BIGINT NOT NULL DEFAULT 0 CHECK (used_vcpus >= 0 AND used_vcpus <= limit_vcpus),
    used_memory_mib BIGINT NOT NULL DEFAULT 0 CHECK (used_memory_mib >= 0 AND used_memory_mib <= limit_memory_mib),
    used_disk_gib BIGINT NOT NULL DEFAULT 0 CHECK (used_disk_gib >= 0 AND used_disk_gib <= limit_disk_gib),
    used_guests BIGINT NOT NULL DEFAULT 0 CHECK (used_guests >= 0 AND used_guests <= limit_guests),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE INDEX projects_by_tenant ON projects (tenant_id, name);
