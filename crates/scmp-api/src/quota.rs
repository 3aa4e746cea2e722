//! Quotas: amounts of the counted resources, and a quota's limits, allocation and use.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Amounts of each counted resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourcesBody {
    /// Virtual CPUs.
    pub vcpus: u64,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Disk in GiB.
    pub disk_gib: u64,
    /// Guests.
    pub guests: u64,
    /// Tenant networks (0 when absent).
    #[serde(default)]
    pub networks: u64,
    /// Public addresses (0 when absent).
    #[serde(default)]
    pub public_addresses: u64,
}

/// A quota: the limits, what is allocated (handed to projects, or reserved by guests) and what is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuotaBody {
    /// The quota.
    pub limits: ResourcesBody,
    /// Allocated from it.
    pub allocated: ResourcesBody,
    /// Used.
    pub used: ResourcesBody,
}

impl From<scmp_common::Resources> for ResourcesBody {
    fn from(r: scmp_common::Resources) -> Self {
        Self {
            vcpus: r.vcpus,
            memory_mib: r.memory_mib,
            disk_gib: r.disk_gib,
            guests: r.guests,
            networks: r.networks,
            public_addresses: r.public_addresses,
        }
    }
}

impl From<ResourcesBody> for scmp_common::Resources {
    fn from(r: ResourcesBody) -> Self {
        scmp_common::Resources {
            public_addresses: r.public_addresses,
            vcpus: r.vcpus,
            memory_mib: r.memory_mib,
            disk_gib: r.disk_gib,
            guests: r.guests,
            networks: r.networks,
        }
    }
}

/// `site_budget_set`: a project's offline budget at a site, escrowed out of its quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteBudgetSet {
    /// What the site may create for the project while cut off from the platform.
    pub budget: ResourcesBody,
    /// Seconds it stays valid (3600 to 7776000; 2592000, 30 days, when absent); the platform
    /// renews it by setting it again while the site is connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_for_s: Option<u64>,
}

/// A project's offline budget at a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteBudgetView {
    /// The site.
    pub site: scmp_common::SiteId,
    /// What is granted, and reserved in the project's usage.
    pub granted: ResourcesBody,
    /// What the site reported it took of it (guests made there while cut off, not yet
    /// reconciled).
    pub used: ResourcesBody,
    /// Valid until; then what the site did not use goes back to the project.
    pub valid_until: scmp_common::time::Time,
    /// Last changed.
    pub updated_at: scmp_common::time::Time,
    /// A cut (a smaller grant, a shorter validity, a withdrawal) the site has not confirmed
    /// yet: the site is told it, while `granted` stays reserved until the site holds it or
    /// `valid_until` passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<SiteBudgetCut>,
}

/// A cut to an offline budget, waiting for its site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SiteBudgetCut {
    /// The grant after the cut.
    pub granted: ResourcesBody,
    /// Its validity.
    pub valid_until: scmp_common::time::Time,
}
