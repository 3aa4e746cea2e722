-- Cancellation requests on operations, residency (the countries a tenant's guests may run in; empty
-- means anywhere), anti-affinity groups
-- of guests, and what inventory finds on a cluster besides hosts: storage, network bridges and recent
-- tasks (JSON).

ALTER TABLE operations ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN countries TEXT NOT NULL DEFAULT '';
ALTER TABLE guests ADD COLUMN anti_affinity TEXT NOT NULL DEFAULT '';
ALTER TABLE clusters ADD COLUMN storage TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clusters ADD COLUMN bridges TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clusters ADD COLUMN tasks TEXT NOT NULL DEFAULT '[]'
