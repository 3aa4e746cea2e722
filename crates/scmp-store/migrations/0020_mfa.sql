-- A user's second factor: a TOTP secret (RFC 6238; sealed like the platform's other secrets),
-- confirmed once the user proved their authenticator has it; last_step is the last time step a
-- code was accepted for, so a code is taken once (a replay within its window is refused).
CREATE TABLE mfa_totp (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret_sealed TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Single-use recovery codes, stored as their SHA-256 (each is 80 random bits), issued when TOTP
-- is confirmed; used_at marks the one use each has.
CREATE TABLE mfa_recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
)
