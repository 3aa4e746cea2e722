-- Tenant networks. Quotas count networks beside vCPUs, memory, disk and guests (limit_* and
-- alloc_* on tenants, limit_* and used_* on projects; the conditional updates keep them in
-- bounds). Operations act on a guest or a network: their subject. site_networking is how a site
-- realises tenant networks (the SDN zone type, its bridge or peers, the pool of VLAN tags or
-- VNIs). A network is one SDN zone and VNet (z<sdn_id>, v<sdn_id>) at its site with its tag,
-- unique at the site; its subnets hold the addresses scmp hands out (one row per address, so
-- none is given twice); guest_nics are the guests' interfaces on them.

ALTER TABLE tenants ADD COLUMN limit_networks BIGINT NOT NULL DEFAULT 0 CHECK (limit_networks >= 0);
ALTER TABLE tenants ADD COLUMN alloc_networks BIGINT NOT NULL DEFAULT 0 CHECK (alloc_networks >= 0);
ALTER TABLE projects ADD COLUMN limit_networks BIGINT NOT NULL DEFAULT 0 CHECK (limit_networks >= 0);
ALTER TABLE projects ADD COLUMN used_networks BIGINT NOT NULL DEFAULT 0 CHECK (used_networks >= 0);

ALTER TABLE operations RENAME COLUMN guest_id TO subject_id;

CREATE TABLE site_networking (
    site_id TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    zone_type TEXT NOT NULL CHECK (zone_type IN ('vlan', 'vxlan', 'evpn', 'simple')),
    bridge TEXT NOT NULL,
    peers TEXT NOT NULL,
    controller TEXT NOT NULL,
    tag_min BIGINT NOT NULL CHECK (tag_min >= 1),
    tag_max BIGINT NOT NULL CHECK (tag_max >= tag_min),
    mtu BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    zone_type TEXT NOT NULL,
    sdn_id TEXT NOT NULL,
    tag BIGINT NOT NULL,
    state TEXT NOT NULL,
    error TEXT NOT NULL,
    quota_held BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, name),
    UNIQUE (site_id, tag),
    UNIQUE (site_id, sdn_id)
);

CREATE INDEX networks_by_tenant ON networks (tenant_id, name);

CREATE TABLE subnets (
    id TEXT PRIMARY KEY,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    cidr TEXT NOT NULL,
    gateway TEXT NOT NULL,
    dhcp_start TEXT NOT NULL,
    dhcp_end TEXT NOT NULL,
    snat BIGINT NOT NULL,
    UNIQUE (network_id, cidr)
);

CREATE TABLE addresses (
    subnet_id TEXT NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    guest_id TEXT NOT NULL,
    nic BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (subnet_id, address)
);

CREATE INDEX addresses_by_guest ON addresses (guest_id);

CREATE TABLE guest_nics (
    guest_id TEXT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    idx BIGINT NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id),
    subnet_id TEXT NOT NULL,
    address TEXT NOT NULL,
    mac TEXT NOT NULL,
    PRIMARY KEY (guest_id, idx)
);

CREATE INDEX guest_nics_by_network ON guest_nics (network_id)
