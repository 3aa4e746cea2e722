-- Whether a tenant's users must have a second factor: a password login of one who has none gets
-- a short session that may only set one up.
ALTER TABLE tenants ADD COLUMN require_mfa BIGINT NOT NULL DEFAULT 0
