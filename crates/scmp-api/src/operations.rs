//! Operations: the user-visible record of a long change, and waiting for one.

use scmp_common::time::Time;
use scmp_common::{GuestId, NetworkId, OperationId, OperationKind, OperationState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OperationView {
    /// Id.
    pub id: OperationId,
    /// What it does.
    pub kind: OperationKind,
    /// What it acts on.
    pub target: String,
    /// The guest it acts on (guest operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_id: Option<GuestId>,
    /// The network it acts on (network operations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_id: Option<NetworkId>,
    /// Where it is.
    pub state: OperationState,
    /// 0 to 100.
    pub progress: u8,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Proxmox task UPIDs it ran.
    pub tasks: Vec<String>,
    /// The request that started it (its audit entries carry the same id).
    pub request_id: String,
    /// Created.
    pub created_at: Time,
    /// Last changed.
    pub updated_at: Time,
    /// What governance policies warned about when it was admitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::PolicyWarning>,
}

/// `?wait=SECONDS`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    /// Wait up to this many seconds (at most 600) for the operation to end before answering.
    pub wait: Option<u64>,
}

/// `guest_create`'s query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CreateQuery {
    /// Wait up to this many seconds (at most 600) for the operation to end before answering.
    pub wait: Option<u64>,
    /// Only check the request and say where placement would put the guest now (200, nothing
    /// created, no quota taken).
    pub dry_run: Option<bool>,
}
