//! The audit log: entries, signed checkpoints and the chain's verification.

use scmp_common::time::Time;
use scmp_common::{AuditPhase, AuditResult, AuditTarget, AuthMethod, ChainState, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryView {
    /// Position in the hash chain.
    pub seq: i64,
    /// When it was written.
    pub time: Time,
    /// Request id.
    pub request_id: String,
    /// `begin` (before acting) or `end` (after).
    pub phase: AuditPhase,
    /// The real end user.
    pub actor: AuditActorView,
    /// How they authenticated.
    pub credential: AuditCredentialView,
    /// Source address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Operation id.
    pub operation: String,
    /// What it acted on.
    pub target: AuditTarget,
    /// The tenant concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// How it ended.
    pub result: AuditResult,
    /// The error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// This entry's hash.
    pub hash: String,
}

/// Who acted, as they were when the entry was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditActorView {
    /// The user's id (`anonymous` before a login is checked).
    pub id: String,
    /// The user's name then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the user was defined (`local`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The user's tenant then (absent for platform staff).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// The credential an entry's request was made with (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditCredentialView {
    /// How they authenticated; `workflow` is what the platform did for the request (`id` is then
    /// the operation).
    pub kind: AuthMethod,
    /// The credential's (or operation's) id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name: a token's name, `login` for a session, the operation's kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A signed checkpoint of the audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CheckpointView {
    /// Entries covered.
    pub seq: i64,
    /// Hash of the last covered entry.
    pub head_hash: String,
    /// When it was signed.
    pub time: Time,
    /// Ed25519 public key (hex).
    pub public_key: String,
    /// Signature (hex) over `scmp audit checkpoint\nseq N\nhead H\ntime T\n`.
    pub signature: String,
}

/// Whether the audit chain holds, checked now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditVerifyView {
    /// Whether it holds.
    pub state: ChainState,
    /// Entries checked (when intact).
    pub entries: i64,
    /// Signed checkpoints checked (when intact).
    pub checkpoints: u64,
    /// Entries of the sites' own audit chains checked, each signed by its site's agent (when
    /// intact).
    #[serde(default)]
    pub site_entries: i64,
    /// The first bad entry (when broken).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    /// Why it is broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
