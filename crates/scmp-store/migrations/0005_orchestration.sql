-- Orchestration: cluster health and inventory (hosts, templates), the catalog (images, instance
-- types), guests, VMID reservations and operations (durable workflows with leases). Booleans are
-- BIGINT 0/1 so the same text runs on SQLite and PostgreSQL.

ALTER TABLE clusters ADD COLUMN health TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE clusters ADD COLUMN health_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clusters ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE clusters ADD COLUMN pve_version TEXT NOT NULL DEFAULT '';
ALTER TABLE clusters ADD COLUMN drift_action TEXT NOT NULL DEFAULT 'report';
ALTER TABLE clusters ADD COLUMN unmanaged_guests BIGINT NOT NULL DEFAULT 0;

CREATE TABLE hosts (
    cluster_id TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    online BIGINT NOT NULL,
    maintenance BIGINT NOT NULL DEFAULT 0,
    cores BIGINT NOT NULL,
    memory_mib BIGINT NOT NULL,
    cpu_usage DOUBLE PRECISION NOT NULL,
    memory_used_mib BIGINT NOT NULL,
    unmanaged_vcpus BIGINT NOT NULL,
    unmanaged_memory_mib BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, name)
);

CREATE TABLE cluster_templates (
    cluster_id TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    vmid BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    node TEXT NOT NULL,
    PRIMARY KEY (cluster_id, vmid)
);

CREATE TABLE images (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    os TEXT NOT NULL,
    version TEXT NOT NULL,
    template TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE instance_types (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    vcpus BIGINT NOT NULL,
    memory_mib BIGINT NOT NULL,
    disk_gib BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE guests (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    image_id TEXT NOT NULL,
    vcpus BIGINT NOT NULL,
    memory_mib BIGINT NOT NULL,
    disk_gib BIGINT NOT NULL,
    state TEXT NOT NULL,
    quota_held BIGINT NOT NULL,
    site_request TEXT,
    cluster_id TEXT,
    node TEXT,
    vmid BIGINT,
    ha BIGINT NOT NULL,
    tags TEXT NOT NULL,
    cloud_init TEXT NOT NULL,
    placement TEXT NOT NULL DEFAULT '',
    drift TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, name)
);

CREATE INDEX guests_by_cluster ON guests (cluster_id, node);

CREATE TABLE vmid_reservations (
    cluster_id TEXT NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    vmid BIGINT NOT NULL,
    guest_id TEXT NOT NULL,
    PRIMARY KEY (cluster_id, vmid)
);

CREATE TABLE operations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    progress BIGINT NOT NULL,
    step BIGINT NOT NULL,
    undoing BIGINT NOT NULL,
    params TEXT NOT NULL,
    error TEXT NOT NULL,
    request_id TEXT NOT NULL,
    upids TEXT NOT NULL,
    lease_owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX operations_runnable ON operations (state, lease_until);
CREATE INDEX operations_by_guest ON operations (guest_id, created_at);

CREATE TABLE guest_events (
    id TEXT PRIMARY KEY,
    guest_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX guest_events_by_guest ON guest_events (guest_id, at)
