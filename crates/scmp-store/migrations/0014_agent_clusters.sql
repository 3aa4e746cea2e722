-- A cluster reached through its site's agent (out of process, over the agent's link) names that
-- agent; the centre then holds no Proxmox VE credentials for it (the token secret stays at the
-- site, so `token_secret_sealed` is empty).
ALTER TABLE clusters ADD COLUMN agent_id TEXT REFERENCES agents(id);

CREATE INDEX clusters_by_agent ON clusters (agent_id);
