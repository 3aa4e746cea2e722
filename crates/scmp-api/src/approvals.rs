//! Approvals: a `require_approval` policy's rule (who approves, how many, by when, and the ITSM
//! webhook that opens a change request), and the approvals of held operations with their
//! decisions and deliveries.

use scmp_common::time::Time;
use scmp_common::{ApprovalState, OperationId, OperationKind, ProjectId, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an approver's role is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApproverScope {
    /// On the request's project (or held more widely: on its tenant, or the platform).
    Project,
    /// On the request's tenant (or the platform).
    Tenant,
    /// On the platform.
    Platform,
}

/// Who may approve what a policy holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Approver {
    /// Holders of a role (built-in or custom, by name) at a scope of the request.
    Role {
        /// The role.
        role: String,
        /// Where it is held.
        on: ApproverScope,
    },
    /// Members of a group (the request's tenant's, or a platform group), by name.
    Group {
        /// The group.
        group: String,
    },
}

/// The ticketing system a policy's approvals open change requests in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItsmHook {
    /// Where the JSON request is posted (HTTPS, or HTTP to a loopback address).
    pub url: String,
    /// The shared secret that signs requests and callbacks (HMAC-SHA256); write only: required
    /// when the hook is first given, kept when left out later, never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Who approves what a `require_approval` policy holds, how many of them, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    /// Anyone these name may approve (one to eight).
    pub approvers: Vec<Approver>,
    /// How many distinct approvals are needed (1 to 10, default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<u32>,
    /// Hours to decide before the request is rejected (1 to 720, default 72).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_hours: Option<u32>,
    /// A change request opened in a ticketing system for each approval; its answer through the
    /// signed callback decides for this policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub itsm: Option<ItsmHook>,
}

/// What one policy that holds an operation asks, and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRequirementView {
    /// The policy.
    pub policy: String,
    /// What it says.
    pub message: String,
    /// Who may approve.
    pub approvers: Vec<Approver>,
    /// How many approvals it needs.
    pub required: u32,
    /// How many it has.
    pub approvals: u32,
    /// Whether it is met.
    pub satisfied: bool,
}

/// What an approver decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Approved.
    Approve,
    /// Rejected.
    Reject,
}

/// A decision on an approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalDecisionView {
    /// Who (a user's name, or `itsm:<policy>` for a ticketing system).
    pub by: String,
    /// What.
    pub decision: ApprovalDecision,
    /// Why.
    pub comment: String,
    /// The ticket it came with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// When.
    pub at: Time,
}

/// One attempt of an ITSM delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttemptView {
    /// When.
    pub at: Time,
    /// The HTTP status (0: no answer).
    pub status: u16,
    /// What went wrong, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An ITSM webhook's delivery and its log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ItsmDeliveryView {
    /// The policy whose webhook it is.
    pub policy: String,
    /// Where to.
    pub url: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Every attempt.
    pub log: Vec<DeliveryAttemptView>,
}

/// An operation held for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalView {
    /// The operation it holds (the approval's id).
    pub operation_id: OperationId,
    /// What the operation does.
    pub operation: OperationKind,
    /// What it acts on.
    pub target: String,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The project.
    pub project_id: ProjectId,
    /// Who asked.
    pub requested_by: String,
    /// Where it is.
    pub state: ApprovalState,
    /// When it is rejected if not approved.
    pub deadline: Time,
    /// What each policy that holds it asks.
    pub requirements: Vec<ApprovalRequirementView>,
    /// The decisions so far.
    pub decisions: Vec<ApprovalDecisionView>,
    /// The ITSM ticket that answered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The ITSM webhooks and their logs.
    pub deliveries: Vec<ItsmDeliveryView>,
    /// Whether the caller may decide on it now.
    pub may_decide: bool,
    /// Asked.
    pub created_at: Time,
    /// Decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Time>,
}

/// `approval_approve` and `approval_reject`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalComment {
    /// Why (required to reject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A ticketing system's answer through the signed callback URL of an approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItsmCallback {
    /// Approve or reject.
    pub decision: ApprovalDecision,
    /// The change request's id in the ticketing system.
    pub ticket: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The signed callback URL's query: the policy whose webhook it answers, until when, and the
/// signature over both and the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ItsmCallbackQuery {
    /// The policy.
    pub policy: String,
    /// Until when the URL is good (ms since the epoch).
    pub expires: i64,
    /// HMAC-SHA256 of `<operation>.<policy>.<expires>` under the webhook's secret, hex.
    pub sig: String,
}
