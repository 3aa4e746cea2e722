-- Escrowed offline budgets: what a project may create at a site while the site is cut off from
-- the centre (vCPUs, memory, disk, guests), granted out of the project's quota and reserved in its
-- usage at once, so central admission can never hand the same quota out twice; valid until a
-- time the centre renews while connected. used_* is what the site reported it took of it (guests
-- made locally, not yet reconciled into records of their own); a local admission or release is
-- taken once (budget_events).
CREATE TABLE site_budgets (
    project_id TEXT NOT NULL REFERENCES projects(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    vcpus BIGINT NOT NULL CHECK (vcpus >= 0),
    memory_mib BIGINT NOT NULL CHECK (memory_mib >= 0),
    disk_gib BIGINT NOT NULL CHECK (disk_gib >= 0),
    guests BIGINT NOT NULL CHECK (guests >= 0),
    used_vcpus BIGINT NOT NULL DEFAULT 0 CHECK (used_vcpus >= 0 AND used_vcpus <= vcpus),
    used_memory_mib BIGINT NOT NULL DEFAULT 0 CHECK (used_memory_mib >= 0 AND used_memory_mib <= memory_mib),
    used_disk_gib BIGINT NOT NULL DEFAULT 0 CHECK (used_disk_gib >= 0 AND used_disk_gib <= disk_gib),
    used_guests BIGINT NOT NULL DEFAULT 0 CHECK (used_guests >= 0 AND used_guests <= guests),
    valid_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, site_id)
);

CREATE TABLE budget_events (
    key TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
