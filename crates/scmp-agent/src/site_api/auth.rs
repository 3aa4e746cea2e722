//! Who may use the site's API: today, whoever holds the site's break-glass credential (made by
//! the agent at its first start, kept in its directory for the site's operators, stored hashed).

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

/// How a break-glass credential begins (so it is told apart from a platform token).
pub const BREAK_GLASS_PREFIX: &str = "scmpbg_";

/// The SHA-256 (hex) of a credential, as the agent keeps it.
pub fn break_glass_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether the request carries the break-glass credential whose hash is `sha256`.
pub fn is_break_glass(headers: &HeaderMap, sha256: &str) -> bool {
    let Some(token) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    // Hashed first: the comparison sees digests, never the secret.
    token.starts_with(BREAK_GLASS_PREFIX) && break_glass_hash(token) == sha256
}
