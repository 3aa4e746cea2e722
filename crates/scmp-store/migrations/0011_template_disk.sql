-- The boot disk size of each template (whole GiB, 0: not known), so a creation knows without asking
-- Proxmox whether the clone's disk must grow.

ALTER TABLE cluster_templates ADD COLUMN disk_gib BIGINT NOT NULL DEFAULT 0
