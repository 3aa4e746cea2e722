-- Security groups. A project's group at a site holds its rules (direction, protocol, ports, and
-- the remote side as networks, any address, or another of the project's groups) as JSON; it is
-- realised on each of the site's clusters as a Proxmox firewall group (pve_name, at most 18
-- characters, the tenant's prefix first) and an IP set of its members' addresses (pve_name
-- with -m). guest_security_groups says which groups a guest is in. drift is what the last look
-- at the clusters found different on Proxmox.

CREATE TABLE security_groups (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    pve_name TEXT NOT NULL,
    rules TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'updating', 'deleting', 'failed')),
    error TEXT NOT NULL,
    drift TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, name),
    UNIQUE (site_id, pve_name)
);

CREATE INDEX security_groups_by_site ON security_groups (site_id, project_id);

CREATE TABLE guest_security_groups (
    guest_id TEXT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES security_groups (id),
    PRIMARY KEY (guest_id, group_id)
);

CREATE INDEX guest_security_groups_by_group ON guest_security_groups (group_id);
