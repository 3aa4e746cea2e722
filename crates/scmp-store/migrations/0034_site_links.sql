-- Site links: each edge site's WireGuard tunnel to the datacentre's hub. link_hub is the hub
-- (its endpoint, its public key; its private key stays where it runs) and the tunnel prefix the
-- sites' tunnel addresses come from (the hub has the first). site_links holds each linked
-- site's tunnel address (unique, so never twice), the port it listens on, and the public key its
-- agent made at the site (empty until the agent answered), with the key's version for rotation.

CREATE TABLE link_hub (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    endpoint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    tunnel_cidr TEXT NOT NULL,
    listen_port BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE site_links (
    site_id TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    address TEXT NOT NULL UNIQUE,
    listen_port BIGINT NOT NULL,
    public_key TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    key_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
