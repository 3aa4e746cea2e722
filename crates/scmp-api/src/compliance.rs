//! Compliance: a tenant's report of what its guests violate of the current policies, since when.

use scmp_common::time::Time;
use scmp_common::{GuestId, Name, ProjectId, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A policy a guest violates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ViolationView {
    /// The guest.
    pub guest_id: GuestId,
    /// Its name.
    pub guest: String,
    /// Its project.
    pub project_id: ProjectId,
    /// The policy.
    pub policy: String,
    /// Its enforcement level (`deny` or `warn`).
    pub enforcement: String,
    /// What it says.
    pub message: String,
    /// Since the scan that first found it.
    pub since: Time,
}

/// A tenant's compliance: its last scan and what it found (of the projects the caller sees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplianceReport {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub tenant: Name,
    /// When it was last scanned (never: absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<Time>,
    /// How many guests that scan evaluated.
    pub guests: u64,
    /// What they violate, by guest, then policy.
    pub violations: Vec<ViolationView>,
}

/// `compliance_report`'s query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComplianceQuery {
    /// `json` (the default) or `csv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}
