-- Users, their API tokens and sessions (stored hashed), role bindings, and the hash-chained audit log.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    tenant_id TEXT REFERENCES tenants (id),
    password_hash TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('token', 'session')),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX credentials_by_user ON credentials (user_id);

CREATE TABLE role_bindings (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    tenant_id TEXT REFERENCES tenants (id),
    project_id TEXT REFERENCES projects (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX role_bindings_by_user ON role_bindings (user_id);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_entries (
    seq BIGINT PRIMARY KEY,
    time_ms BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('begin', 'end')),
    actor TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    credential TEXT NOT NULL,
    source TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    tenant_id TEXT,
    result TEXT NOT NULL,
    error TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_by_request ON audit_entries (request_id);
