//! Site agents: join tokens, enrollment and the enrolled agents.

use scmp_common::time::Time;
use scmp_common::{AgentId, JoinTokenId, SiteId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The text of a join token: `scmpjoin.<id>.<secret>.<ca-sha256>`. It names the token, carries its
/// secret (64 hex digits) and the SHA-256 of the platform's agent CA, which an agent checks before
/// it sends anything. Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinTokenText {
    /// The token.
    pub id: JoinTokenId,
    /// Its secret (hex).
    pub secret: String,
    /// SHA-256 of the platform's agent CA certificate (DER, hex).
    pub ca_sha256: String,
}

impl std::fmt::Debug for JoinTokenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinTokenText")
            .field("id", &self.id)
            .field("ca_sha256", &self.ca_sha256)
            .finish_non_exhaustive()
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl std::str::FromStr for JoinTokenText {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wrong = || "not a join token (scmpjoin.<id>.<secret>.<ca-sha256>)".to_string();
        let mut parts = s.trim().split('.');
        if parts.next() != Some("scmpjoin") {
            return Err(wrong());
        }
        let (Some(id), Some(secret), Some(ca), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(wrong());
        };
        let id = id.parse().map_err(|_| wrong())?;
        if !is_hex64(secret) || !is_hex64(ca) {
            return Err(wrong());
        }
        Ok(Self {
            id,
            secret: secret.to_string(),
            ca_sha256: ca.to_string(),
        })
    }
}

impl std::fmt::Display for JoinTokenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "scmpjoin.{}.{}.{}", self.id, self.secret, self.ca_sha256)
    }
}

/// `join_token_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinTokenCreate {
    /// Seconds until it expires (60 to 604800; 3600 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_s: Option<u64>,
}

/// A join token (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JoinTokenView {
    /// Id.
    pub id: JoinTokenId,
    /// The site whose agent it enrolls.
    pub site: SiteId,
    /// Who made it.
    pub created_by: String,
    /// Made.
    pub created_at: Time,
    /// Good until.
    pub expires_at: Time,
    /// When an agent enrolled with it (absent while unused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_at: Option<Time>,
    /// The agent it enrolled (absent while unused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentId>,
}

/// A new join token: shown once, give it to the site's `scmp agent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct JoinTokenCreated {
    /// The token's text (`scmpjoin.<id>.<secret>.<ca-sha256>`).
    pub token: String,
    /// The token.
    pub join_token: JoinTokenView,
}

/// `agent_enroll`: an agent's first contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentEnroll {
    /// The join token's text.
    pub join_token: String,
    /// A PKCS#10 certificate request (PEM) for the key the agent made.
    pub csr: String,
}

/// `agent_renew`: a new certificate for an enrolled agent, asked with a certificate request for
/// the key it enrolled with (the request's signature proves the agent holds that key, so an agent
/// whose certificate ran out while it was offline renews the same way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentRenew {
    /// The agent.
    pub agent: AgentId,
    /// A PKCS#10 certificate request (PEM) for the agent's enrolled key.
    pub csr: String,
}

/// An enrolled agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgentView {
    /// Id.
    pub id: AgentId,
    /// Its site: the only one it may speak for.
    pub site: SiteId,
    /// Enrolled.
    pub enrolled_at: Time,
    /// Last given a certificate.
    pub renewed_at: Time,
    /// When its certificate ends.
    pub certificate_expires_at: Time,
    /// Revoked: it may not connect or renew again (absent while not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Time>,
    /// Its link to the platform.
    pub link: AgentLinkView,
}

/// Whether a site's agent is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// Linked, and heard within two ping intervals.
    Connected,
    /// Linked but its messages are late, or the link broke a short while ago.
    Degraded,
    /// Not linked for longer than the platform's disconnect time (or never, since this replica
    /// started).
    Disconnected,
}

/// An agent's link, as the replica it is linked to sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgentLinkView {
    /// Connected, degraded or disconnected.
    pub state: Connectivity,
    /// Since when the link is up, or down (absent: not since this replica started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Time>,
    /// When the agent was last heard (absent: not by this replica).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heard_at: Option<Time>,
    /// How long ago it was last heard, in milliseconds (the link's lag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<u64>,
    /// Why the link last broke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Commands for the site waiting for the agent's answer (or for it to come back).
    pub waiting_commands: u64,
    /// Messages the agent's journal holds for the platform (what the site did and answered while
    /// cut off), as the agent last said; they come when the link is back.
    #[serde(default)]
    pub journaled_waiting: u64,
}

/// What an agent gets when it enrolls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgentEnrolled {
    /// The agent.
    pub agent: AgentView,
    /// Its client certificate (PEM), short-lived.
    pub certificate: String,
    /// The platform's agent CA (PEM).
    pub ca_certificate: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_tokens_text_round_trips_and_keeps_its_secret_out_of_debug() {
        let t = JoinTokenText {
            id: JoinTokenId::new(),
            secret: "ab".repeat(32),
            ca_sha256: "cd".repeat(32),
        };
        let text = t.to_string();
        assert_eq!(text.parse::<JoinTokenText>().unwrap(), t);
        assert!(!format!("{t:?}").contains(&t.secret));
        for bad in [
            "",
            "scmpjoin",
            &text.replace("scmpjoin", "scmptoken"),
            &format!("{text}.x"),
            &text.replace(&"ab".repeat(32), "ab"),
            &text.replace(&"cd".repeat(32), &"CD".repeat(32)),
        ] {
            assert!(bad.parse::<JoinTokenText>().is_err(), "{bad}");
        }
    }
}
