-- Single sign-on logins under way: `state` is the login's OAuth state, `binding_hash` the SHA-256
-- of the random binding only whoever began it holds, the PKCE verifier sealed. Once the provider's
-- ID token has verified, `user_id` and `id_token` are kept (a second factor may still be asked
-- for); `used_at` marks the one session it gave.
CREATE TABLE sso_logins (
    state TEXT PRIMARY KEY,
    realm_id TEXT NOT NULL REFERENCES realms (id),
    binding_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    verifier_sealed TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    id_token TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- The ID token behind a single sign-on session, for the provider's logout (`id_token_hint`).
CREATE TABLE sso_sessions (
    credential_id TEXT PRIMARY KEY REFERENCES credentials (id),
    realm_id TEXT NOT NULL REFERENCES realms (id),
    id_token TEXT NOT NULL,
    created_at BIGINT NOT NULL
)
