-- Usage records: what a guest held (what was reserved for it, not what it did with it) during
-- part or all of one hour of the clock, [from_ms, to_ms) within one hour. Kept once per guest and
-- start however often they are sent. Today they come from sites, for the guests made there while
-- the centre could not count them (source 'site', with the agent and the message that carried it);
-- last marks the site's last record of a guest (deleted there, or taken in by the centre, whose
-- allocations are the record from then on). No foreign keys: the ledger outlives the guests,
-- projects and tenants it speaks of.
CREATE TABLE usage_records (
    guest_id TEXT NOT NULL,
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL,
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    vcpus BIGINT NOT NULL CHECK (vcpus >= 0),
    memory_mib BIGINT NOT NULL CHECK (memory_mib >= 0),
    disk_gib BIGINT NOT NULL CHECK (disk_gib >= 0),
    last BIGINT NOT NULL,
    source TEXT NOT NULL,
    agent_id TEXT,
    message TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (guest_id, from_ms),
    CHECK (to_ms >= from_ms AND to_ms - from_ms <= 3600000)
);
CREATE INDEX usage_records_project ON usage_records (project_id, from_ms);
