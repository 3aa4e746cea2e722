//! The link's messages, one JSON text frame each. Down (centre to site): commands, acknowledgements
//! and pings. Up (site to centre): the hello that opens a session, replies with their sequence
//! numbers, and pings. Every numbered message up stays with the agent until the centre acknowledges
//! it (cumulatively), and is sent again on the next session if the link broke first.

use serde::{Deserialize, Serialize};

use pve_types::Authid;
use scmp_common::{AgentId, Name};

use crate::command::{AgentError, Command, CommandId, Reply};

/// The link's protocol version; the centre refuses a hello of another.
pub const PROTOCOL_VERSION: u32 = 1;

/// Where the link is served on the agents' listener.
pub const LINK_PATH: &str = "/api/v1/agent/link";

/// What the agent says first: who it is (its certificate says so too, and that is what counts),
/// the cluster it fronts, and where its numbered messages stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the agent.
    pub protocol: u32,
    /// The agent (as enrolled).
    pub agent: AgentId,
    /// The cluster the agent fronts.
    pub cluster: ClusterHello,
    /// The agent's stream of numbered messages: sequence numbers count within it.
    pub stream: uuid::Uuid,
    /// The lowest sequence number the agent holds unacknowledged (or the next it will use).
    pub resend_from: u64,
    /// How many numbered messages its journal holds unacknowledged (what it will send again).
    #[serde(default)]
    pub waiting: u64,
}

/// The cluster an agent fronts, as the agent found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterHello {
    /// The name it is registered under at the centre (unique on the platform).
    pub name: Name,
    /// Where the agent reaches its Proxmox VE API (for the record; the centre never does).
    pub endpoint: String,
    /// The API token the agent uses (its secret stays at the site).
    pub token_id: Authid,
    /// Privileges the token lacks (empty when it has all that scmp needs).
    pub missing_privileges: Vec<String>,
}

/// A message from the centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Down {
    /// The session is open.
    Welcome {
        /// The highest sequence number of the agent's stream the centre has taken.
        acked: u64,
        /// How often each side pings (ms); a peer silent for three of these is gone.
        ping_interval_ms: u64,
    },
    /// The centre will not take this agent (revoked, another site's cluster, a wrong version):
    /// the connection closes after this.
    Refused {
        /// Why.
        reason: String,
    },
    /// Carry out a command (again, if its id was seen: answered as the first time).
    Command {
        /// Its idempotency key.
        id: CommandId,
        /// The command (boxed: it is by far the largest message).
        command: Box<Command>,
    },
    /// What the site needs to keep working on its own: the guests placed there and their
    /// projects (sent when the session opens and whenever it changes).
    SiteState(Box<SiteState>),
    /// Every numbered message up to this one is taken.
    Ack {
        /// The highest sequence number taken.
        upto: u64,
    },
    /// Are you there?
    Ping {
        /// Echoed in the pong.
        nonce: u64,
    },
    /// Here.
    Pong {
        /// The ping's.
        nonce: u64,
    },
}

/// A message from the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Up {
    /// Opens the session.
    Hello(Hello),
    /// A numbered message.
    Message {
        /// Its sequence number in the agent's stream.
        seq: u64,
        /// What it says.
        body: UpBody,
    },
    /// Are you there?
    Ping {
        /// Echoed in the pong.
        nonce: u64,
        /// How many numbered messages the agent's journal holds unacknowledged.
        #[serde(default)]
        waiting: u64,
    },
    /// Here.
    Pong {
        /// The ping's.
        nonce: u64,
    },
}

/// What a numbered message up says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpBody {
    /// A command's answer.
    Reply {
        /// The command's id.
        id: CommandId,
        /// Its answer.
        outcome: Outcome,
    },
    /// Something done at the site through its own API: the next entry of the site's signed audit
    /// chain.
    Local(super::chain::SiteAuditEntry),
    /// Something the site saw happen to one of its guests while its link was down.
    Event(super::event::SiteEvent),
    /// What a guest the site made held during an hour.
    Usage(super::usage::SiteUsage),
    /// The budgets the site holds now (as the centre last told it): sent, after whatever the
    /// site did under the ones before, each time they change, so a cut takes effect at the
    /// centre only once the site can no longer spend beyond it.
    Held {
        /// Each project's grant and validity.
        grants: Vec<SiteGrant>,
    },
}

/// What the centre tells a site about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteState {
    /// When the centre made it (ms).
    pub at_ms: i64,
    /// The scmp guests placed at the agent's cluster.
    pub guests: Vec<scmp_api::GuestView>,
    /// Their projects, and those with a budget at the site, with their tenants' names.
    pub projects: Vec<SiteProject>,
    /// The projects' offline budgets at the site.
    #[serde(default)]
    pub budgets: Vec<SiteGrant>,
    /// The catalog's images (what the site may create guests from).
    #[serde(default)]
    pub images: Vec<SiteImage>,
    /// The catalog's instance types.
    #[serde(default)]
    pub instance_types: Vec<SiteInstanceType>,
    /// The identity cache: the users the site's policy lets it hold.
    #[serde(default)]
    pub identities: Vec<SiteIdentity>,
    /// Until when the cache may be used (ms): renewed while the site is linked, then the cached
    /// users can no longer log in at the site.
    #[serde(default)]
    pub identities_valid_until_ms: i64,
    /// The governance policies that apply at the site, evaluated there too.
    #[serde(default)]
    pub governance: SiteGovernance,
}

/// What the site needs to evaluate governance policies on its own: where it is, and the active
/// policies of the platform and of the tenants and projects it serves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteGovernance {
    /// The site's name.
    pub site: String,
    /// Its country.
    pub country: String,
    /// The policies.
    pub policies: Vec<SitePolicy>,
}

/// A governance policy and where it applies (no tenant: the platform's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitePolicy {
    /// Its tenant.
    pub tenant: Option<scmp_common::TenantId>,
    /// Its project.
    pub project: Option<scmp_common::ProjectId>,
    /// The policy.
    pub policy: scmp_governance::PolicyDef,
}

/// A user the site may let in while it is cut off: hashes only, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteIdentity {
    /// The user.
    pub user: scmp_common::UserId,
    /// Its name.
    pub name: Name,
    /// Its tenant (none: a platform user).
    pub tenant: Option<scmp_common::TenantId>,
    /// Its password's argon2id hash, when it has one.
    pub password_hash: Option<String>,
    /// Its live tokens.
    pub tokens: Vec<SiteToken>,
    /// Its role bindings (its groups' included).
    pub bindings: Vec<SiteBinding>,
}

/// A token of a cached user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteToken {
    /// The credential's id.
    pub id: scmp_common::CredentialId,
    /// Its name.
    pub name: String,
    /// SHA-256 (hex) of its secret.
    pub secret_sha256: String,
    /// When it expires (ms), if it does.
    pub expires_at_ms: Option<i64>,
}

/// A role binding of a cached user, as the policy engine reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteBinding {
    /// The role's name.
    pub role: String,
    /// Its tenant.
    pub tenant: Option<scmp_common::TenantId>,
    /// Its project.
    pub project: Option<scmp_common::ProjectId>,
    /// A custom role's definition (absent for a built-in role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<SiteRole>,
}

/// A custom role's definition, as the site's policy engine reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRole {
    /// Where it is bound: `platform`, `tenant` or `project`.
    pub level: String,
    /// The actions it grants (operation ids).
    pub actions: Vec<String>,
}

/// A project's offline budget at the site, as the centre holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteGrant {
    /// The project.
    pub project: scmp_common::ProjectId,
    /// What is granted.
    pub granted: scmp_common::Resources,
    /// What the centre took of the site's reports of it so far.
    pub used: scmp_common::Resources,
    /// Valid until (ms).
    pub valid_until_ms: i64,
}

/// An image of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteImage {
    /// Its id.
    pub id: scmp_common::ImageId,
    /// Its name.
    pub name: Name,
    /// VM or container.
    pub kind: scmp_common::GuestKind,
    /// The name of its template on Proxmox VE.
    pub template: String,
}

/// An instance type of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInstanceType {
    /// Its name.
    pub name: Name,
    /// vCPUs.
    pub vcpus: u64,
    /// Memory.
    pub memory_mib: u64,
    /// Root disk.
    pub disk_gib: u64,
}

/// A project with guests at the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteProject {
    /// Its tenant's name.
    pub tenant: Name,
    /// Its tenant's labels.
    #[serde(default)]
    pub tenant_labels: std::collections::BTreeMap<String, String>,
    /// The project.
    pub project: scmp_api::ProjectView,
}

/// A command's answer as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok(Reply),
    /// Failed.
    Err(AgentError),
}

impl From<Result<Reply, AgentError>> for Outcome {
    fn from(r: Result<Reply, AgentError>) -> Self {
        match r {
            Ok(reply) => Outcome::Ok(reply),
            Err(e) => Outcome::Err(e),
        }
    }
}

impl From<Outcome> for Result<Reply, AgentError> {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Ok(reply) => Ok(reply),
            Outcome::Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_they_were_written() {
        let down = Down::Command {
            id: CommandId::new(),
            command: Box::new(Command::NextVmid),
        };
        let text = serde_json::to_string(&down).unwrap();
        assert!(text.contains("\"type\":\"command\""), "{text}");
        assert_eq!(serde_json::from_str::<Down>(&text).unwrap(), down);
        let up = Up::Message {
            seq: 7,
            body: UpBody::Reply {
                id: CommandId::new(),
                outcome: Outcome::Err(AgentError::new(crate::AgentErrorKind::Link, "gone")),
            },
        };
        let text = serde_json::to_string(&up).unwrap();
        assert_eq!(serde_json::from_str::<Up>(&text).unwrap(), up);
    }
}
