-- High availability as Proxmox reports it: each guest's HA service state (`started`, `fence`,
-- `recovery`, `error`, ...; empty for a guest without HA), and each cluster's HA manager status
-- (quorum, the master, each node's local resource manager) as JSON.

ALTER TABLE guests ADD COLUMN ha_state TEXT NOT NULL DEFAULT '';
ALTER TABLE clusters ADD COLUMN ha_status TEXT NOT NULL DEFAULT '{}';
