-- Approvals: a policy may hold a request for its approvers (`require_approval`, with the rule of
-- who approves, how many and by when in `approval`, JSON, and the shared secret of its ITSM
-- webhook sealed in `itsm_secret`, which is not versioned). The policies table is rebuilt for the
-- new enforcement level (SQLite cannot change a CHECK constraint in place).
CREATE TABLE policies_next (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    tenant_id TEXT REFERENCES tenants (id),
    project_id TEXT REFERENCES projects (id),
    description TEXT NOT NULL,
    enforcement TEXT NOT NULL CHECK (enforcement IN ('deny', 'warn', 'require_approval')),
    message TEXT,
    source TEXT NOT NULL,
    active BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    approval TEXT,
    itsm_secret TEXT,
    CHECK (project_id IS NULL OR tenant_id IS NOT NULL),
    CHECK ((enforcement = 'require_approval') = (approval IS NOT NULL))
);

INSERT INTO policies_next (id, name, tenant_id, project_id, description, enforcement, message,
    source, active, version, created_at, updated_at)
SELECT id, name, tenant_id, project_id, description, enforcement, message, source, active,
    version, created_at, updated_at FROM policies;

DROP TABLE policies;

ALTER TABLE policies_next RENAME TO policies;

ALTER TABLE policy_versions ADD COLUMN approval TEXT;

-- One approval per held operation: what each policy that holds it asks (JSON), its state and
-- deadline, and the ITSM ticket that answered it.
CREATE TABLE approvals (
    operation_id TEXT PRIMARY KEY REFERENCES operations (id),
    tenant_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requester TEXT NOT NULL,
    requirements TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
    deadline BIGINT NOT NULL,
    ticket TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL
);

CREATE INDEX approvals_by_state ON approvals (state, deadline);

-- Who decided (a user's id, or `itsm:<policy>` for a ticketing system), what, and which of the
-- approval's policies the decision counts for (JSON list): each person decides once.
CREATE TABLE approval_decisions (
    operation_id TEXT NOT NULL REFERENCES approvals (operation_id),
    who TEXT NOT NULL,
    name TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    counts_for TEXT NOT NULL,
    comment TEXT NOT NULL,
    ticket TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (operation_id, who)
);

-- Outbound ITSM webhooks, each retried with backoff until delivered or given up; the log of
-- every attempt's answer stays with it.
CREATE TABLE itsm_deliveries (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES approvals (operation_id),
    policy TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    log TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX itsm_deliveries_due ON itsm_deliveries (state, next_at)
