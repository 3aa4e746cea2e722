-- Site agents. The platform's agent CA (one row: its certificate, and its key sealed like the
-- other secrets), single-use join tokens (their secret stored hashed), and enrolled agents with
-- the public key they enrolled with (what an agent proves possession of to renew after its
-- certificate ran out) and their current certificate.
CREATE TABLE agent_ca (
    id BIGINT PRIMARY KEY,
    cert_pem TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agent_join_tokens (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    secret_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    agent_id TEXT
);

CREATE INDEX agent_join_tokens_by_site ON agent_join_tokens (site_id, created_at);

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites(id),
    public_key TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    cert_not_after BIGINT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    renewed_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE INDEX agents_by_site ON agents (site_id, enrolled_at);
