-- Compliance: what each guest violates of the current policies, since when (the first scan that
-- found it), kept until a scan finds it no more; and when each tenant was last scanned.
CREATE TABLE compliance_violations (
    guest_id TEXT NOT NULL,
    policy TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    guest TEXT NOT NULL,
    enforcement TEXT NOT NULL,
    message TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (guest_id, policy)
);

CREATE INDEX compliance_by_tenant ON compliance_violations (tenant_id);

CREATE TABLE compliance_scans (
    tenant_id TEXT PRIMARY KEY,
    scanned_at BIGINT NOT NULL,
    guests BIGINT NOT NULL
)
