//! Authentication: an API token, or user and password with a ticket that is renewed before it expires.

use std::fmt;
use std::time::{Duration, Instant};

use pve_types::Authid;

/// How the client authenticates.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`; no CSRF token needed.
    Token {
        /// `USER@REALM!TOKENID`.
        id: Authid,
        /// The token secret (a UUID).
        secret: String,
    },
    /// Ticket login: `POST /access/ticket`, then the `PVEAuthCookie` cookie and the CSRF header.
    Password {
        /// `USER@REALM`.
        username: String,
        /// The password.
        password: String,
    },
}

impl Credentials {
    /// Reads `USER@REALM!TOKENID=SECRET` (what `pve-sim --token-file` writes).
    pub fn parse_token(s: &str) -> Result<Self, String> {
        let (id, secret) = s
            .trim()
            .split_once('=')
            .ok_or_else(|| "expected USER@REALM!TOKENID=SECRET".to_string())?;
        let id = Authid::new(id).map_err(|e| e.to_string())?;
        if id.token_name().is_none() || secret.is_empty() {
            return Err("expected USER@REALM!TOKENID=SECRET".into());
        }
        Ok(Credentials::Token {
            id,
            secret: secret.to_string(),
        })
    }
}

// Secrets never reach logs: Debug shows who, not the secret.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token { id, .. } => write!(f, "Token({id}, secret: <redacted>)"),
            Credentials::Password { username, .. } => {
                write!(f, "Password({username}, password: <redacted>)")
            }
        }
    }
}

/// A ticket and when it was obtained.
#[derive(Clone)]
pub(crate) struct TicketState {
    pub ticket: String,
    pub csrf: String,
    pub obtained: Instant,
}

impl TicketState {
    /// PVE tickets live two hours; renew well before.
    pub fn is_fresh(&self, renew_after: Duration) -> bool {
        self.obtained.elapsed() < renew_after
    }
}

impl fmt::Debug for TicketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TicketState(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_parsing_and_redaction() {
        let c = Credentials::parse_token("root@pam!scmp=0b1c5e0e-aaaa-bbbb-cccc-123456789012\n")
            .unwrap();
        let dbg = format!("{c:?}");
        assert!(dbg.contains("root@pam!scmp") && !dbg.contains("0b1c5e0e"));
        assert!(Credentials::parse_token("root@pam=secret").is_err());
        assert!(Credentials::parse_token("garbage").is_err());
    }
}
