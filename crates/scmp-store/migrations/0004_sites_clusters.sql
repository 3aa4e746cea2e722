-- Edge sites and the Proxmox VE clusters registered at them. A cluster's API token secret is stored
-- only encrypted (AES-256-GCM with the server's secret key); the store never sees it in the clear.

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    name TEXT NOT NULL UNIQUE,
    endpoint TEXT NOT NULL,
    token_id TEXT NOT NULL,
    token_secret_sealed TEXT NOT NULL,
    tls_fingerprint TEXT,
    cpu_overcommit DOUBLE PRECISION NOT NULL,
    memory_overcommit DOUBLE PRECISION NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX clusters_by_site ON clusters (site_id);
