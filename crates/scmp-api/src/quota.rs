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
        }
    }
}

impl From<ResourcesBody> for scmp_common::Resources {
    fn from(r: ResourcesBody) -> Self {
        scmp_common::Resources {
            vcpus: r.vcpus,
            memory_mib: r.memory_mib,
            disk_gib: r.disk_gib,
            guests: r.guests,
        }
    }
}
