//! Governance policies: what may be done at all, where, as built-in parameterised policies or
//! Cedar `forbid` rules over a typed input, attached to the platform, a tenant or a project, with
//! an enforcement level; versioned, tried against recent admissions before a change, and evaluated
//! in every admission of a guest's creation, resize and migration.

use scmp_common::time::Time;
use scmp_common::{Name, PolicyId, ProjectId, TenantId};
pub use scmp_governance::{
    ActorFacts, Builtin, Enforcement, GuestFacts, Operation as PolicyOperation, OwnerFacts,
    PolicyInput, TimeFacts,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `policy_create`: exactly one of `builtin` and `cedar`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyCreate {
    /// Name, unique on the platform; refusals name it.
    pub name: Name,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The tenant it applies to (id or name); with neither this nor `project`, the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The project it applies to (id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// What a violation does.
    pub enforcement: Enforcement,
    /// What a violation says (a built-in policy says what it checks when this is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A built-in policy with its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// Cedar `forbid` rules over the input (see `GET /policies/schema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cedar: Option<String>,
    /// With `require_approval`: who approves, how many, by when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::ApprovalRule>,
    /// With `lease`: how long the guests it holds live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<crate::LeaseRule>,
    /// Whether it is enforced (default true); an inactive policy can be tried with dry runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `policy_update`: a new version; what is given replaces what was there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyUpdate {
    /// The version this change is made from (refused when the policy changed since).
    pub version: i64,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new enforcement level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<Enforcement>,
    /// A new message (empty: the built-in's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// New built-in parameters (replacing Cedar rules, if it had them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// New Cedar rules (replacing a built-in, if it was one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cedar: Option<String>,
    /// A new approval rule (for `require_approval`; its ITSM secret is kept when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::ApprovalRule>,
    /// A new lease rule (for `lease`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<crate::LeaseRule>,
    /// Enforced or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyView {
    /// Id.
    pub id: PolicyId,
    /// Name.
    pub name: Name,
    /// What it is for.
    pub description: String,
    /// The tenant it applies to (absent: the platform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<TenantId>,
    /// The project it applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    /// What a violation does.
    pub enforcement: Enforcement,
    /// What a violation says.
    pub message: String,
    /// The built-in policy, for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// The Cedar rules it is evaluated as (a built-in's rendered).
    pub cedar: String,
    /// With `require_approval`: who approves, how many, by when (the ITSM secret not shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::ApprovalRule>,
    /// With `lease`: how long the guests it holds live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<crate::LeaseRule>,
    /// Whether it is enforced.
    pub active: bool,
    /// Its version.
    pub version: i64,
    /// Created.
    pub created_at: Time,
    /// Last changed.
    pub updated_at: Time,
}

/// One version of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyVersionView {
    /// The version.
    pub version: i64,
    /// What a violation did.
    pub enforcement: Enforcement,
    /// What it said, when it had its own message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The built-in policy, for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin: Option<Builtin>,
    /// Its Cedar rules, for a custom policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cedar: Option<String>,
    /// Its approval rule, for one that required approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::ApprovalRule>,
    /// Its lease rule, for one that gave leases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<crate::LeaseRule>,
    /// Whether it was enforced.
    pub active: bool,
    /// Who made it.
    pub changed_by: String,
    /// When.
    pub created_at: Time,
}

/// `policy_dry_run`: what a new policy, or a new version of one, would have done to recent
/// admissions in its scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDryRun {
    /// The policy as it would be (its name need not exist; an existing one is not changed).
    pub policy: PolicyCreate,
    /// How many of the newest admissions to look at (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<u32>,
}

/// One admission a dry run's policy would have held against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyDryRunHit {
    /// When it was admitted.
    pub at: Time,
    /// What was asked.
    pub operation: PolicyOperation,
    /// The project.
    pub project_id: ProjectId,
    /// The guest's name.
    pub guest: String,
    /// Who asked.
    pub actor: String,
}

/// What a dry run found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PolicyDryRunReport {
    /// How many admissions were looked at.
    pub examined: u32,
    /// Those the policy would have refused (or warned about, for a `warn` policy).
    pub hits: Vec<PolicyDryRunHit>,
}

/// A policy's warning about a request that went ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PolicyWarning {
    /// The policy.
    pub policy: String,
    /// What it says.
    pub message: String,
}
