-- A cut to an offline budget (a smaller grant, a shorter validity, a withdrawal) that its site may
-- not know of yet: the site may still spend what it was last told, so the larger grant stays
-- reserved (vcpus .. valid_until) and the cut waits here until the site says it holds a grant
-- within it, or the larger one runs out. NULL: no cut waits.
ALTER TABLE site_budgets ADD COLUMN pending_vcpus BIGINT;
ALTER TABLE site_budgets ADD COLUMN pending_memory_mib BIGINT;
ALTER TABLE site_budgets ADD COLUMN pending_disk_gib BIGINT;
ALTER TABLE site_budgets ADD COLUMN pending_guests BIGINT;
ALTER TABLE site_budgets ADD COLUMN pending_until BIGINT
