-- The platform's own settings (one row): whether platform staff must have a second factor.
CREATE TABLE platform_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    require_mfa BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL DEFAULT 0
);

INSERT INTO platform_settings (id, require_mfa, updated_at) VALUES (1, 0, 0)
