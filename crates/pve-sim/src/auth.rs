//! Authentication as PVE does it: `root@pam` with a password (ticket + CSRF token, valid two hours) and
//! the API token `root@pam!scmp`.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::SimTime;

/// How long a ticket is valid.
pub const TICKET_LIFETIME: f64 = 7200.0;

/// The credentials the simulator accepts.
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthState {
    /// `root@pam`'s password.
    pub root_password: String,
    /// The secret of the token `root@pam!scmp`.
    pub token_secret: String,
    /// Key that signs tickets.
    pub ticket_key: String,
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthState(<redacted>)")
    }
}

/// The one API token the simulator creates.
pub const TOKEN_ID: &str = "root@pam!scmp";
/// The one user.
pub const ROOT: &str = "root@pam";

fn sign(key: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(h.finalize())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `root@pam` or `root@pam!scmp`.
    pub authid: String,
    /// Whether it came with a ticket (then non-GETs need the CSRF token).
    pub ticket: bool,
}

impl AuthState {
    /// Checks a login.
    pub fn check_password(&self, username: &str, password: &str, now: SimTime) -> bool {
        let user = if username.contains('@') {
            username.to_string()
        } else {
            format!("{username}@pam")
        };
        if user != ROOT {
            return false;
        }
        // A valid ticket counts as the password: that is how PVE renews tickets.
        constant_time_eq(password.as_bytes(), self.root_password.as_bytes())
            || self.verify_ticket(password, now).is_some()
    }

    /// Issues a ticket and its CSRF token.
    pub fn issue(&self, user: &str, now: SimTime) -> (String, String) {
        let t = format!("{:08X}", now as u64);
        let ticket = format!(
            "PVE:{user}:{t}::{}",
            sign(&self.ticket_key, &["ticket", user, &t])
        );
        let csrf = format!("{t}:{}", sign(&self.ticket_key, &["csrf", user, &t]));
        (ticket, csrf)
    }

    /// The user of a valid, unexpired ticket.
    pub fn verify_ticket(&self, ticket: &str, now: SimTime) -> Option<String> {
        let rest = ticket.strip_prefix("PVE:")?;
        let (user, rest) = rest.split_once(':')?;
        let (t, sig) = rest.split_once("::")?;
        let issued = u64::from_str_radix(t, 16).ok()? as f64;
        if now - issued > TICKET_LIFETIME || issued - now > 300.0 {
            return None;
        }
        let want = sign(&self.ticket_key, &["ticket", user, t]);
        constant_time_eq(want.as_bytes(), sig.as_bytes()).then(|| user.to_string())
    }

    /// Whether the CSRF token belongs to the user's ticket.
    pub fn verify_csrf(&self, user: &str, token: &str) -> bool {
        let Some((t, sig)) = token.split_once(':') else {
            return false;
        };
        let want = sign(&self.ticket_key, &["csrf", user, t]);
        constant_time_eq(want.as_bytes(), sig.as_bytes())
    }

    /// Authenticates a request from its `Authorization` and `Cookie` headers; the error is the reason
    /// PVE puts in the status line.
    pub fn authenticate(
        &self,
        authorization: Option<&str>,
        cookie: Option<&str>,
        csrf: Option<&str>,
        is_get: bool,
        now: SimTime,
    ) -> Result<Caller, &'static str> {
        if let Some(h) = authorization {
            let Some(rest) = h.trim().strip_prefix("PVEAPIToken=") else {
                return Err("invalid token");
            };
            // `USER@REALM!TOKENID=SECRET` (PVE also accepts `:` before the secret).
            let (id, secret) = rest
                .split_once('=')
                .or_else(|| rest.rsplit_once(':'))
                .ok_or("invalid token")?;
            if id == TOKEN_ID && constant_time_eq(secret.as_bytes(), self.token_secret.as_bytes()) {
                return Ok(Caller {
                    authid: id.to_string(),
                    ticket: false,
                });
            }
            return Err("invalid token value!");
        }
        let ticket = cookie.and_then(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .find(|(k, _)| *k == "PVEAuthCookie")
                .map(|(_, v)| crate::params::percent_decode(v))
        });
        let Some(ticket) = ticket else {
            return Err("No ticket");
        };
        let user = self
            .verify_ticket(&ticket, now)
            .ok_or("permission denied - invalid PVE ticket")?;
        if !is_get && !csrf.is_some_and(|c| self.verify_csrf(&user, c)) {
            return Err("Permission denied - invalid csrf token");
        }
        Ok(Caller {
            authid: user,
            ticket: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AuthState {
        AuthState {
            root_password: "pw".into(),
            token_secret: "sec".into(),
            ticket_key: "k".into(),
        }
    }

    #[test]
    fn tickets_expire_and_renew() {
        let a = state();
        let (t, csrf) = a.issue(ROOT, 1000.0);
        assert_eq!(a.verify_ticket(&t, 1000.0 + 7100.0).as_deref(), Some(ROOT));
        assert!(a.verify_ticket(&t, 1000.0 + 7300.0).is_none());
        assert!(a.check_password(ROOT, &t, 2000.0));
        assert!(a.verify_csrf(ROOT, &csrf));
        let cookie = format!("PVEAuthCookie={}", t.replace(':', "%3A"));
        assert!(a
            .authenticate(None, Some(&cookie), None, true, 1001.0)
            .is_ok());
        assert_eq!(
            a.authenticate(None, Some(&cookie), None, false, 1001.0),
            Err("Permission denied - invalid csrf token")
        );
    }

    #[test]
    fn tokens() {
        let a = state();
        assert!(a
            .authenticate(
                Some("PVEAPIToken=root@pam!scmp=sec"),
                None,
                None,
                false,
                0.0
            )
            .is_ok());
        assert!(a
            .authenticate(
                Some("PVEAPIToken=root@pam!scmp=bad"),
                None,
                None,
                false,
                0.0
            )
            .is_err());
        assert_eq!(
            a.authenticate(None, None, None, true, 0.0),
            Err("No ticket")
        );
    }
}
