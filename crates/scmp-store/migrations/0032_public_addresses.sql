-- Public addresses. The platform defines public pools per site (an IPv4 or IPv6 prefix with its
-- gateway, realised as 1:1 NAT at the site's edge router or routed to the guest on an uplink
-- bridge and VLAN); a project allocates addresses from them within its quota (one row per
-- address with (pool, address) unique, so none is handed out twice) and attaches each to one of
-- its guests: a NAT address to one of the guest's NICs (its private address is the NAT target),
-- a routed one as a NIC of its own. Quotas count them beside the other resources.

ALTER TABLE tenants ADD COLUMN limit_public_addresses BIGINT NOT NULL DEFAULT 0 CHECK (limit_public_addresses >= 0);
ALTER TABLE tenants ADD COLUMN alloc_public_addresses BIGINT NOT NULL DEFAULT 0 CHECK (alloc_public_addresses >= 0);
ALTER TABLE projects ADD COLUMN limit_public_addresses BIGINT NOT NULL DEFAULT 0 CHECK (limit_public_addresses >= 0);
ALTER TABLE projects ADD COLUMN used_public_addresses BIGINT NOT NULL DEFAULT 0 CHECK (used_public_addresses >= 0);

CREATE TABLE public_pools (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    cidr TEXT NOT NULL,
    family TEXT NOT NULL CHECK (family IN ('ipv4', 'ipv6')),
    gateway TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('nat', 'routed')),
    bridge TEXT NOT NULL,
    vlan BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (site_id, name),
    UNIQUE (site_id, cidr)
);

CREATE TABLE public_addresses (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES public_pools (id),
    address TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    site_id TEXT NOT NULL REFERENCES sites (id),
    description TEXT NOT NULL,
    guest_id TEXT REFERENCES guests (id) ON DELETE SET NULL,
    nic BIGINT NOT NULL,
    mac TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (pool_id, address)
);

CREATE INDEX public_addresses_by_project ON public_addresses (project_id, created_at);
-- One address per NIC of a guest (free addresses have no guest: NULLs never collide).
CREATE UNIQUE INDEX public_addresses_one_per_nic ON public_addresses (guest_id, nic);
