//! Leases: a `lease` policy's rule (how long the guests it holds live, how far they can be
//! extended, when owners are warned, the grace before decommissioning), a guest's lease, and an
//! extension.

use scmp_common::time::Time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long the guests a `lease` policy holds at creation live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseRule {
    /// Days from creation to the end (1 to 365).
    pub days: u32,
    /// The longest a lease may last with its extensions, in days from creation (at least
    /// `days`, at most 3650; default twice `days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days: Option<u32>,
    /// Days before the end the owners are warned (at most `days`; default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_days: Option<u32>,
    /// Days between the end (the guest is stopped) and its decommissioning (at most 90;
    /// default 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_days: Option<u32>,
}

/// A guest's lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaseView {
    /// The policy that gave it.
    pub policy: String,
    /// When it ends (the guest is stopped).
    pub expires_at: Time,
    /// The latest it can be extended to.
    pub max_until: Time,
    /// When the guest is decommissioned unless the lease is extended.
    pub decommission_at: Time,
    /// `active`, `warned`, `stopped` (ended) or `ending` (being decommissioned).
    pub state: String,
}

/// `guest_lease_extend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseExtend {
    /// Days to add, from its end (or from now, when it has ended): 1 to 365, within the policy's
    /// limit.
    pub days: u32,
}
