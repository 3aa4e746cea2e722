-- A site's own audit chain: what was done at a site through its agent's API (while cut off from
-- the centre, or with its break-glass credential), each entry hashed over the one before it and
-- signed by the agent's enrolled key. Kept exactly as the site wrote it (body, hashes, signature)
-- so `scmp audit verify` checks it offline against the agent's public key; taken once per
-- (agent, seq) however often the site sends it; central_seq is the entry it became in the
-- central audit log.
CREATE TABLE site_audit_entries (
    agent_id TEXT NOT NULL REFERENCES agents(id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    prev_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    central_seq BIGINT,
    PRIMARY KEY (agent_id, seq)
);
